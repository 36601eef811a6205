// gzip (RFC 1952) through zlib, members concatenated as gzip(1) allows; zero
// padding after the last member is accepted, anything else refused.
#include <zlib.h>

#include "reference/formats/decompress_stream.h"

namespace imagelib {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper only

class GzipDecompressor final : public StreamDecompressor {
 public:
  GzipDecompressor(const RandomAccessSource& in, std::uint64_t max_output)
      : StreamDecompressor(Compression::kGzip, in, max_output) {
    ok_ = inflateInit2(&stream_, kGzipWindowBits) == Z_OK;
  }
  ~GzipDecompressor() override {
    if (ok_) inflateEnd(&stream_);
  }
  GzipDecompressor(const GzipDecompressor&) = delete;
  GzipDecompressor& operator=(const GzipDecompressor&) = delete;

 private:
  Result<CodecStep> step(ByteView in, MutableByteView out, bool input_ends) override {
    if (!ok_) return corrupt("zlib could not be initialised");
    CodecStep result;
    if (between_members_) {
      if (in.empty()) {
        result.stream_ended = input_ends;
        return result;
      }
      if (in[0] != 0x1f) {
        if (!is_zero_padding(in)) return corrupt("trailing data after the last gzip member");
        result.consumed = in.size();
        result.stream_ended = input_ends;
        return result;
      }
      if (inflateReset(&stream_) != Z_OK) return corrupt("zlib could not be reset");
      between_members_ = false;
    }
    stream_.next_in = const_cast<Bytef*>(in.data());
    stream_.avail_in = static_cast<uInt>(in.size());
    stream_.next_out = out.data();
    stream_.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&stream_, Z_NO_FLUSH);
    result.consumed = in.size() - stream_.avail_in;
    result.produced = out.size() - stream_.avail_out;
    if (rc == Z_STREAM_END) {
      between_members_ = true;
      result.stream_ended = input_ends && result.consumed == in.size();
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return corrupt(std::string("corrupt stream (") + (stream_.msg ? stream_.msg : "zlib error") + ")");
    }
    return result;
  }

  z_stream stream_{};
  bool ok_ = false;
  bool between_members_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> open_gzip_decompressor(const RandomAccessSource& in,
                                                     std::uint64_t max_output) {
  return std::make_unique<GzipDecompressor>(in, max_output);
}

}  // namespace imagelib
