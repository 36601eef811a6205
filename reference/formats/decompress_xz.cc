// xz through liblzma; concatenated streams and stream padding are handled by
// liblzma itself (LZMA_CONCATENATED). Memory is capped at 1 GiB of
// dictionary, so a header cannot make the decoder allocate without bound.
#include "reference/formats/decompress_xz.h"

#include "reference/formats/decompress_stream.h"

namespace imagelib {
namespace {

lzma_ret single_threaded_decoder(lzma_stream* stream) {
  return lzma_stream_decoder(stream, kXzMemoryLimit, LZMA_CONCATENATED);
}

class XzDecompressor final : public StreamDecompressor {
 public:
  XzDecompressor(const XzDecoderSetup& setup, const RandomAccessSource& in,
                 std::uint64_t max_output)
      : StreamDecompressor(Compression::kXz, in, max_output) {
    ok_ = setup(&stream_) == LZMA_OK;
  }
  ~XzDecompressor() override { lzma_end(&stream_); }
  XzDecompressor(const XzDecompressor&) = delete;
  XzDecompressor& operator=(const XzDecompressor&) = delete;

 private:
  Result<CodecStep> step(ByteView in, MutableByteView out, bool input_ends) override {
    if (!ok_) return corrupt("liblzma could not be initialised");
    stream_.next_in = in.data();
    stream_.avail_in = in.size();
    stream_.next_out = out.data();
    stream_.avail_out = out.size();
    const lzma_ret rc = lzma_code(&stream_, input_ends ? LZMA_FINISH : LZMA_RUN);
    CodecStep result;
    result.consumed = in.size() - stream_.avail_in;
    result.produced = out.size() - stream_.avail_out;
    if (rc == LZMA_STREAM_END) {
      result.stream_ended = true;
    } else if (rc == LZMA_MEMLIMIT_ERROR) {
      return corrupt("the stream needs more than 1 GiB of memory to decode");
    } else if (rc == LZMA_BUF_ERROR && input_ends && result.produced == 0) {
      return corrupt("the stream is truncated");
    } else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
      return corrupt("corrupt stream (liblzma error " + std::to_string(static_cast<int>(rc)) + ")");
    }
    return result;
  }

  lzma_stream stream_ = LZMA_STREAM_INIT;
  bool ok_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> open_xz_decompressor_with(const XzDecoderSetup& setup,
                                                        const RandomAccessSource& in,
                                                        std::uint64_t max_output) {
  return std::make_unique<XzDecompressor>(setup, in, max_output);
}

std::unique_ptr<Decompressor> open_xz_decompressor(const RandomAccessSource& in,
                                                   std::uint64_t max_output) {
  return open_xz_decompressor_with(single_threaded_decoder, in, max_output);
}

}  // namespace imagelib
