// The bit-level layout of a bzip2 stream that a parallel decoder needs
// without decoding: the two 48-bit magics (a block's, the stream end's) that
// may start at any bit, a scanner that finds every occurrence of them in a
// run of bytes, and reading and copying bits at arbitrary bit offsets. Bits
// are numbered from the most significant bit of byte 0. Pure functions; used
// by parallel/bzip2_block_decoder and parallel/bzip2_decompressor.
#pragma once

#include <cstdint>
#include <vector>

#include "reference/base/bytes.h"

namespace imagelib::parallel {

inline constexpr std::uint64_t kBzip2BlockMagic = 0x314159265359;  // pi
inline constexpr std::uint64_t kBzip2EndMagic = 0x177245385090;    // sqrt(pi)
inline constexpr unsigned kBzip2MagicBits = 48;

// A bit offset where a magic starts.
struct Bzip2Magic {
  std::uint64_t bit;
  bool end;  // the end-of-stream magic, else a block's

  friend bool operator==(const Bzip2Magic&, const Bzip2Magic&) = default;
};

// True when no magic's last (48 - shift) bits are another's (or its own)
// first bits for any shift in [1, max_shift]: then a decoder that reads a
// whole magic where the next one was found cannot have read it a few bits
// off. The parallel decoder relies on this for max_shift 8.
constexpr bool bzip2_magics_never_overlap(unsigned max_shift) {
  const std::uint64_t magics[] = {kBzip2BlockMagic, kBzip2EndMagic};
  for (std::uint64_t first : magics) {
    for (std::uint64_t second : magics) {
      for (unsigned shift = 1; shift <= max_shift; ++shift) {
        const std::uint64_t tail = first & ((std::uint64_t{1} << (kBzip2MagicBits - shift)) - 1);
        if (tail == second >> shift) return false;
      }
    }
  }
  return true;
}

// Every magic that lies wholly inside `bytes`, whose byte 0 is bit
// `first_bit` of the file (a multiple of 8), at or after bit `from`, in
// ascending order, appended to `found`.
void find_bzip2_magics(ByteView bytes, std::uint64_t first_bit, std::uint64_t from,
                       std::vector<Bzip2Magic>& found);

// The `count` (at most 57) bits of `bytes` starting at bit `bit`, as the low
// bits of the result; bits past the end read as zero.
std::uint64_t read_bits(ByteView bytes, std::uint64_t bit, unsigned count);

// Appends bits to a byte vector, most significant bit first.
class BitWriter {
 public:
  explicit BitWriter(Bytes& out) : out_(out), bits_(out.size() * 8) {}
  std::uint64_t bits() const { return bits_; }
  // The low `count` (at most 32) bits of `value`.
  void put(std::uint64_t value, unsigned count);
  // Bits [bit, bit + count) of `bytes`.
  void copy(ByteView bytes, std::uint64_t bit, std::uint64_t count);

 private:
  Bytes& out_;
  std::uint64_t bits_;
};

}  // namespace imagelib::parallel
