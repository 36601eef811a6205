// zstd through libzstd: frames (and skippable frames) follow one another until
// the input ends; input that ends inside a frame is refused as truncated.
// The window is capped at 2^31 bytes so a frame header cannot demand more.
#include <zstd.h>

#include "reference/formats/decompress_stream.h"

namespace imagelib {
namespace {

constexpr int kZstdMaxWindowLog = 31;

class ZstdDecompressor final : public StreamDecompressor {
 public:
  ZstdDecompressor(const RandomAccessSource& in, std::uint64_t max_output)
      : StreamDecompressor(Compression::kZstd, in, max_output), stream_(ZSTD_createDStream()) {
    ok_ = stream_ != nullptr &&
          !ZSTD_isError(ZSTD_DCtx_setParameter(stream_, ZSTD_d_windowLogMax, kZstdMaxWindowLog));
  }
  ~ZstdDecompressor() override { ZSTD_freeDStream(stream_); }
  ZstdDecompressor(const ZstdDecompressor&) = delete;
  ZstdDecompressor& operator=(const ZstdDecompressor&) = delete;

 private:
  Result<CodecStep> step(ByteView in, MutableByteView out, bool input_ends) override {
    if (!ok_) return corrupt("libzstd could not be initialised");
    CodecStep result;
    if (in.empty() && input_ends && frame_complete_) {
      result.stream_ended = true;
      return result;
    }
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    ZSTD_outBuffer output{out.data(), out.size(), 0};
    const std::size_t rc = ZSTD_decompressStream(stream_, &output, &input);
    if (ZSTD_isError(rc)) {
      return corrupt(std::string("corrupt stream (") + ZSTD_getErrorName(rc) + ")");
    }
    frame_complete_ = rc == 0;
    result.consumed = input.pos;
    result.produced = output.pos;
    return result;
  }

  ZSTD_DStream* stream_;
  bool ok_ = false;
  bool frame_complete_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> open_zstd_decompressor(const RandomAccessSource& in,
                                                     std::uint64_t max_output) {
  return std::make_unique<ZstdDecompressor>(in, max_output);
}

}  // namespace imagelib
