#include "reference/formats/qcow2_cluster_codec.h"

#include <zlib.h>
#include <zstd.h>

#include "reference/formats/container.h"

namespace imagelib {
namespace {

constexpr int kRawDeflateWindowBits = -12;  // qemu's QCOW2 compression window

}  // namespace

struct Qcow2ClusterInflater::Codecs {
  z_stream zlib{};
  bool zlib_ready = false;
  ZSTD_DCtx* zstd = nullptr;
};

Qcow2ClusterInflater::Qcow2ClusterInflater() : codecs_(new Codecs) {
  codecs_->zlib_ready = inflateInit2(&codecs_->zlib, kRawDeflateWindowBits) == Z_OK;
}

Qcow2ClusterInflater::~Qcow2ClusterInflater() {
  if (codecs_->zlib_ready) inflateEnd(&codecs_->zlib);
  ZSTD_freeDCtx(codecs_->zstd);
  delete codecs_;
}

Status Qcow2ClusterInflater::inflate(Qcow2Compression codec, ByteView compressed,
                                     MutableByteView cluster) {
  if (codec == Qcow2Compression::kZlib) {
    z_stream& z = codecs_->zlib;
    if (!codecs_->zlib_ready || inflateReset(&z) != Z_OK) {
      return bad_image("qcow2", "zlib could not be initialised");
    }
    z.next_in = const_cast<Bytef*>(compressed.data());
    z.avail_in = static_cast<uInt>(compressed.size());
    z.next_out = cluster.data();
    z.avail_out = static_cast<uInt>(cluster.size());
    const int rc = ::inflate(&z, Z_FINISH);
    // As qemu: the cluster must come out whole; input left over is padding.
    if ((rc == Z_STREAM_END || rc == Z_BUF_ERROR) && z.avail_out == 0) return {};
    return bad_image("qcow2", "a compressed cluster does not inflate to a whole cluster");
  }
  if (codecs_->zstd == nullptr) codecs_->zstd = ZSTD_createDCtx();
  if (codecs_->zstd == nullptr) return bad_image("qcow2", "libzstd could not be initialised");
  ZSTD_DCtx_reset(codecs_->zstd, ZSTD_reset_session_only);
  ZSTD_inBuffer input{compressed.data(), compressed.size(), 0};
  ZSTD_outBuffer output{cluster.data(), cluster.size(), 0};
  while (output.pos < output.size) {
    const std::size_t input_before = input.pos;
    const std::size_t output_before = output.pos;
    const std::size_t rc = ZSTD_decompressStream(codecs_->zstd, &output, &input);
    if (ZSTD_isError(rc)) {
      return bad_image("qcow2", std::string("a zstd cluster is corrupt (") + ZSTD_getErrorName(rc) + ")");
    }
    const bool stalled = input.pos == input_before && output.pos == output_before;
    if (rc == 0 || stalled || (input.pos == input.size && output.pos < output.size)) break;
  }
  if (output.pos < output.size) {
    return bad_image("qcow2", "a compressed cluster does not decompress to a whole cluster");
  }
  return {};
}

struct ClusterDeflater::Stream {
  z_stream zlib{};
  bool ready = false;
};

ClusterDeflater::ClusterDeflater() : stream_(new Stream) {
  stream_->ready = deflateInit2(&stream_->zlib, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                                kRawDeflateWindowBits, 9, Z_DEFAULT_STRATEGY) == Z_OK;
}

ClusterDeflater::~ClusterDeflater() {
  if (stream_->ready) deflateEnd(&stream_->zlib);
  delete stream_;
}

void ClusterDeflater::deflate(ByteView cluster, Bytes& out) {
  out.clear();
  z_stream& z = stream_->zlib;
  if (!stream_->ready || cluster.size() < 2 || deflateReset(&z) != Z_OK) return;
  // As qemu: room for one byte less than the cluster; what does not fit is
  // stored uncompressed.
  out.resize(cluster.size() - 1);
  z.next_in = const_cast<Bytef*>(cluster.data());
  z.avail_in = static_cast<uInt>(cluster.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = ::deflate(&z, Z_FINISH);
  out.resize(rc == Z_STREAM_END ? out.size() - z.avail_out : 0);
}

void SerialClusterCompressor::compress(std::span<const Bytes> clusters,
                                       std::span<Bytes> results) {
  for (std::size_t i = 0; i < clusters.size(); ++i) deflater_.deflate(clusters[i], results[i]);
}

}  // namespace imagelib
