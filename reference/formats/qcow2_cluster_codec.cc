#include "reference/formats/qcow2_cluster_codec.h"

#include <zlib.h>
#include <zstd.h>

#include "reference/formats/container.h"

namespace imagelib {
namespace {

constexpr int kRawDeflateWindowBits = -12;  // qemu's QCOW2 compression window
constexpr std::uint64_t kSector = 512;

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

std::optional<Bytes> deflate_cluster(ByteView cluster) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawDeflateWindowBits, 9,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  // Anything that does not save a sector is stored uncompressed.
  Bytes out(cluster.size() - kSector);
  z.next_in = const_cast<Bytef*>(cluster.data());
  z.avail_in = static_cast<uInt>(cluster.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  const std::size_t produced = out.size() - z.avail_out;
  deflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  out.resize(produced);
  return out;
}

}  // namespace imagelib
