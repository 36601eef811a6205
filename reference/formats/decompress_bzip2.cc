// bzip2 through libbz2, streams concatenated as bzip2(1) allows; zero
// padding after the last stream is accepted, anything else refused.
#include <bzlib.h>

#include "reference/formats/decompress_stream.h"

namespace imagelib {
namespace {

class Bzip2Decompressor final : public StreamDecompressor {
 public:
  Bzip2Decompressor(const RandomAccessSource& in, std::uint64_t max_output)
      : StreamDecompressor(Compression::kBzip2, in, max_output) {
    ok_ = BZ2_bzDecompressInit(&stream_, 0, 0) == BZ_OK;
  }
  ~Bzip2Decompressor() override {
    if (ok_) BZ2_bzDecompressEnd(&stream_);
  }
  Bzip2Decompressor(const Bzip2Decompressor&) = delete;
  Bzip2Decompressor& operator=(const Bzip2Decompressor&) = delete;

 private:
  Result<CodecStep> step(ByteView in, MutableByteView out, bool input_ends) override {
    if (!ok_) return corrupt("libbz2 could not be initialised");
    CodecStep result;
    if (between_streams_) {
      if (in.empty()) {
        result.stream_ended = input_ends;
        return result;
      }
      if (in[0] != 'B') {
        if (!is_zero_padding(in)) return corrupt("trailing data after the last bzip2 stream");
        result.consumed = in.size();
        result.stream_ended = input_ends;
        return result;
      }
      BZ2_bzDecompressEnd(&stream_);
      stream_ = bz_stream{};
      ok_ = BZ2_bzDecompressInit(&stream_, 0, 0) == BZ_OK;
      if (!ok_) return corrupt("libbz2 could not be initialised");
      between_streams_ = false;
    }
    stream_.next_in = reinterpret_cast<char*>(const_cast<std::uint8_t*>(in.data()));
    stream_.avail_in = static_cast<unsigned int>(in.size());
    stream_.next_out = reinterpret_cast<char*>(out.data());
    stream_.avail_out = static_cast<unsigned int>(out.size());
    const int rc = BZ2_bzDecompress(&stream_);
    result.consumed = in.size() - stream_.avail_in;
    result.produced = out.size() - stream_.avail_out;
    if (rc == BZ_STREAM_END) {
      between_streams_ = true;
      result.stream_ended = input_ends && result.consumed == in.size();
    } else if (rc != BZ_OK) {
      return corrupt("corrupt stream (libbz2 error " + std::to_string(rc) + ")");
    }
    return result;
  }

  bz_stream stream_{};
  bool ok_ = false;
  bool between_streams_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> open_bzip2_decompressor(const RandomAccessSource& in,
                                                      std::uint64_t max_output) {
  return std::make_unique<Bzip2Decompressor>(in, max_output);
}

}  // namespace imagelib
