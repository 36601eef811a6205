#include "reference/formats/convert.h"

#include "reference/formats/sinks.h"

namespace imagelib {
namespace {

// Hands only the non-zero blocks of each data extent on to the Blob.
class SparseBlobSink final : public ExtentSink {
 public:
  explicit SparseBlobSink(Blob& out) : blob_(out) {}
  Status write_data(std::uint64_t offset, ByteView data) override {
    return write_raw_bytes(blob_, offset, data);
  }
  Status write_zero(std::uint64_t, std::uint64_t) override { return {}; }

 private:
  BlobSink blob_;
};

}  // namespace

Result<DecodedImage> write_raw_file(const RandomAccessSource& file, Blob& out,
                                    const DecodeLimits& limits,
                                    const DecodeOptions& decode_options) {
  SparseBlobSink sink(out);
  auto decoded = decode_to_sink(file, sink, limits, decode_options);
  if (!decoded.ok()) return decoded.status();
  IMAGELIB_RETURN_IF_ERROR(out.resize(decoded->virtual_size));
  return decoded;
}

Result<DecodedImage> write_qcow2_file(const RandomAccessSource& file, Blob& out,
                                      const Qcow2WriteOptions& options,
                                      const DecodeLimits& limits,
                                      const DecodeOptions& decode_options) {
  if (options.cluster_bits < 9 || options.cluster_bits > 21) {
    return Status(ErrorCode::kUnprocessable, "qcow2 cluster_bits must be 9-21");
  }
  Qcow2Writer writer(out, options);
  auto decoded = decode_to_sink(file, writer, limits, decode_options);
  if (!decoded.ok()) return decoded.status();
  IMAGELIB_RETURN_IF_ERROR(writer.finish(decoded->virtual_size));
  return decoded;
}

}  // namespace imagelib
