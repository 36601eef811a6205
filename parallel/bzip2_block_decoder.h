// Bzip2BlockDecoder: one block of a bzip2 stream, found by its magic at an
// arbitrary bit, decoded on its own by libbz2 as a one-block stream ("BZh" +
// level, the block's bits, the end magic and the block CRC as the combined
// CRC). It never hands out a byte that libbz2 did not decode from the file's
// own bits, and it says where the block really ends:
//  - the block's bits are fed to libbz2 only up to the byte holding the next
//    magic found after it, so output can only start once libbz2 has read the
//    whole block from real bits (a bzip2 block produces nothing before its
//    last symbol); when it needs more, the magic was a false one inside the
//    block's data (kNeedsEnd: the caller adds the next magic);
//  - after the output, and the block CRC libbz2 checks, it is fed that magic
//    (and for a block magic a few real bits more): it reads a whole magic
//    where the block ended, which by the scan (every magic was found) and
//    bzip2_magics_never_overlap can only be the one found.
// So when the block's first bit is a real block start, the bytes are those
// the serial decoder gives and kDone means it ends at end(). One thread at a
// time; used by parallel/bzip2_decompressor.
#pragma once

#include <bzlib.h>

#include <cstdint>
#include <vector>

#include "parallel/bzip2_bits.h"
#include "reference/base/bytes.h"

namespace imagelib::parallel {

class Bzip2BlockDecoder {
 public:
  enum class State : std::uint8_t {
    kOutput,    // decoding; call decode again
    kNeedsEnd,  // the block goes on past the last end added: add_end
    kDone,      // every byte given, the CRC checked, the block ends at end()
    kFailed,    // not a block ending at any end added (or corrupt)
  };
  struct Step {
    std::size_t produced = 0;  // bytes written to `out` (ignore them on kFailed)
    State state = State::kOutput;
  };

  // `level` is the stream's '1'..'9'; `start` the bit of the block's magic;
  // `bytes` the file from byte start / 8 on, to at least 64 bits past `end`,
  // the first magic found after `start`.
  Bzip2BlockDecoder(char level, std::uint64_t start, Bytes bytes, Bzip2Magic end);
  ~Bzip2BlockDecoder();
  Bzip2BlockDecoder(const Bzip2BlockDecoder&) = delete;
  Bzip2BlockDecoder& operator=(const Bzip2BlockDecoder&) = delete;

  // After kNeedsEnd: the next magic found, and the file bytes that follow
  // those given so far, to at least 64 bits past it.
  void add_end(Bzip2Magic end, ByteView more);
  // Decodes into `out` (not empty).
  Step decode(MutableByteView out);

  std::uint64_t start() const { return start_; }
  // The magic the block ends at (once output has started).
  Bzip2Magic end() const { return ends_[current_]; }
  // The CRC stored in the block's header.
  std::uint32_t stored_crc() const { return stored_crc_; }
  // File bytes held, from byte start / 8 (none once output has started).
  std::size_t bytes_held() const { return bytes_.size(); }

 private:
  enum class Phase : std::uint8_t { kSymbols, kOutput, kTrailer, kDone, kFailed };

  std::size_t wrapper_size() const { return dropped_ + wrapper_.size(); }
  // Wrapper bytes holding the block's bits through the end magic's first bit.
  std::size_t symbols_limit() const;
  // Makes the wrapper hold the file's bits up to wrapper byte `limit`.
  // (false when the bytes given do not reach).
  bool extend_wrapper(std::size_t limit);
  // Appends what libbz2 reads after the block: the end magic and past it
  // (a block magic) or the block CRC as the stream's (the end magic).
  bool append_trailer();
  // Runs libbz2 on wrapper bytes up to `limit`; returns its code.
  int run(MutableByteView out, std::size_t limit, std::size_t& produced);
  // Ends the decode in `phase` (kDone or kFailed), releasing libbz2 and the bytes.
  Step finish(Phase phase);

  std::uint64_t start_;
  Bytes bytes_;  // the file from byte start_ / 8
  std::vector<Bzip2Magic> ends_;
  std::size_t current_ = 0;
  std::uint32_t stored_crc_;
  Bytes wrapper_;  // the one-block stream fed to libbz2, from byte dropped_
  std::size_t dropped_ = 0;
  std::size_t consumed_ = 0;
  bz_stream stream_{};
  bool open_ = false;
  Phase phase_ = Phase::kSymbols;
};

}  // namespace imagelib::parallel
