#include "reference/formats/decompress_stream.h"

#include <algorithm>

#include "reference/formats/container.h"

namespace imagelib {
namespace {

constexpr std::size_t kInputChunk = 1024 * 1024;
// Codec APIs count in 32-bit integers.
constexpr std::size_t kMaxStepOutput = std::size_t{1} << 30;

}  // namespace

StreamDecompressor::StreamDecompressor(Compression compression, const RandomAccessSource& in,
                                       std::uint64_t max_output)
    : compression_(compression), in_(in), max_output_(max_output), window_(kInputChunk) {}

Status StreamDecompressor::corrupt(const std::string& reason) const {
  return bad_image(compression_name(compression_), reason);
}

Status StreamDecompressor::refill() {
  if (window_begin_ < window_end_ || next_read_ >= in_.size()) return {};
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kInputChunk, in_.size() - next_read_));
  IMAGELIB_RETURN_IF_ERROR(in_.read_at(next_read_, MutableByteView(window_).first(n)));
  next_read_ += n;
  window_begin_ = 0;
  window_end_ = n;
  return {};
}

Result<std::size_t> StreamDecompressor::read(MutableByteView out) {
  std::size_t filled = 0;
  while (filled < out.size() && !ended_) {
    IMAGELIB_RETURN_IF_ERROR(refill());
    const ByteView input = ByteView(window_).subspan(window_begin_, window_end_ - window_begin_);
    const bool input_ends = next_read_ >= in_.size();
    auto stepped = step(input, out.subspan(filled, std::min(out.size() - filled, kMaxStepOutput)), input_ends);
    if (!stepped.ok()) return stepped.status();
    window_begin_ += stepped->consumed;
    filled += stepped->produced;
    ended_ = stepped->stream_ended;
    if (!ended_ && stepped->consumed == 0 && stepped->produced == 0) {
      if (input_ends) return corrupt("the stream is truncated");
      if (window_begin_ < window_end_) return corrupt("the stream makes no progress");
    }
  }
  produced_ += filled;
  if (produced_ > max_output_) {
    return corrupt("decompressed output exceeds the limit of " + std::to_string(max_output_) +
                   " bytes");
  }
  return filled;
}

bool is_zero_padding(ByteView data) {
  return std::all_of(data.begin(), data.end(), [](std::uint8_t b) { return b == 0; });
}

}  // namespace imagelib
