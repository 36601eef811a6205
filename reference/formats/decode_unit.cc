#include "reference/formats/decode_unit.h"

#include <zlib.h>

#include <string>

#include "reference/formats/container.h"
#include "reference/formats/qcow2_cluster_codec.h"

namespace imagelib {

namespace {

// Inflates zlib-wrapped vmdk grains (streamOptimized).
struct GrainInflater {
  GrainInflater() { ready = inflateInit(&stream) == Z_OK; }
  ~GrainInflater() {
    if (ready) inflateEnd(&stream);
  }
  GrainInflater(const GrainInflater&) = delete;
  GrainInflater& operator=(const GrainInflater&) = delete;

  Status inflate_grain(const CompressedUnit& unit, MutableByteView grain) {
    if (!ready || inflateReset(&stream) != Z_OK) {
      return Status(ErrorCode::kInternal, "zlib init failed");
    }
    const std::string name = "compressed grain " + std::to_string(unit.index);
    stream.next_in = const_cast<Bytef*>(unit.compressed.data());
    stream.avail_in = static_cast<uInt>(unit.compressed.size());
    stream.next_out = grain.data();
    stream.avail_out = static_cast<uInt>(grain.size());
    if (::inflate(&stream, Z_FINISH) != Z_STREAM_END) {
      return bad_image("vmdk", name + " is not a complete zlib stream of at most one grain");
    }
    if (stream.total_out < unit.length) {
      return bad_image("vmdk", name + " inflates to " + std::to_string(stream.total_out) +
                                   " bytes, short of " + std::to_string(unit.length));
    }
    return {};
  }

  z_stream stream{};
  bool ready = false;
};

}  // namespace

struct UnitDecoder::Codecs {
  Qcow2ClusterInflater clusters;
  GrainInflater grains;
};

UnitDecoder::UnitDecoder() : codecs_(std::make_unique<Codecs>()) {}

UnitDecoder::~UnitDecoder() = default;

Status UnitDecoder::decode(const CompressedUnit& unit, MutableByteView out) {
  switch (unit.codec) {
    case UnitCodec::kQcow2Zlib:
      return codecs_->clusters.inflate(Qcow2Compression::kZlib, unit.compressed, out);
    case UnitCodec::kQcow2Zstd:
      return codecs_->clusters.inflate(Qcow2Compression::kZstd, unit.compressed, out);
    case UnitCodec::kVmdkGrain:
      return codecs_->grains.inflate_grain(unit, out);
  }
  return Status(ErrorCode::kInternal, "unknown unit codec");
}

Status SerialUnitSink::write_unit(CompressedUnit unit) {
  buffer_.resize(unit.capacity);
  IMAGELIB_RETURN_IF_ERROR(decoder_.decode(unit, buffer_));
  return out_.write_data(unit.guest, ByteView(buffer_).first(unit.length));
}

Status SerialUnitSink::write_stored(const RandomAccessSource& in, std::uint64_t host,
                                    std::uint64_t guest, std::uint64_t length) {
  buffer_.resize(length);
  IMAGELIB_RETURN_IF_ERROR(in.read_at(host, buffer_));
  return out_.write_data(guest, buffer_);
}

}  // namespace imagelib
