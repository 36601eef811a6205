// The machinery the four decompressors share: a window on the compressed
// file read sequentially in large chunks, and the loop that drives a codec
// until the caller's buffer is full, the stream ends or the output limit is
// passed. Internal to the decompress_*.cc files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reference/formats/decompress.h"

namespace imagelib {

// What one call into a codec did.
struct CodecStep {
  std::size_t consumed = 0;
  std::size_t produced = 0;
  bool stream_ended = false;  // the last member/frame ended and no more follows
};

class StreamDecompressor : public Decompressor {
 public:
  StreamDecompressor(Compression compression, const RandomAccessSource& in,
                     std::uint64_t max_output);
  Result<std::size_t> read(MutableByteView out) final;
  std::uint64_t produced() const final { return produced_; }

 protected:
  // Decodes from `in` into `out`. `input_ends` says no input follows `in`.
  // A codec that reaches the end of a member with input left starts the next
  // member itself, or refuses trailing data.
  virtual Result<CodecStep> step(ByteView in, MutableByteView out, bool input_ends) = 0;
  Status corrupt(const std::string& reason) const;

 private:
  Status refill();

  Compression compression_;
  const RandomAccessSource& in_;
  std::uint64_t max_output_;
  std::uint64_t next_read_ = 0;
  Bytes window_;
  std::size_t window_begin_ = 0;
  std::size_t window_end_ = 0;
  std::uint64_t produced_ = 0;
  bool ended_ = false;
};

// One per codec, in decompress_<codec>.cc.
std::unique_ptr<Decompressor> open_gzip_decompressor(const RandomAccessSource& in,
                                                     std::uint64_t max_output);
std::unique_ptr<Decompressor> open_bzip2_decompressor(const RandomAccessSource& in,
                                                      std::uint64_t max_output);
std::unique_ptr<Decompressor> open_xz_decompressor(const RandomAccessSource& in,
                                                   std::uint64_t max_output);
std::unique_ptr<Decompressor> open_zstd_decompressor(const RandomAccessSource& in,
                                                     std::uint64_t max_output);

// True when `data` holds only zero bytes (padding some tools leave after a
// stream).
bool is_zero_padding(ByteView data);

}  // namespace imagelib
