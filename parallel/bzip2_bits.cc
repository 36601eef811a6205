#include "parallel/bzip2_bits.h"

#include <array>

namespace imagelib::parallel {
namespace {

constexpr std::uint64_t kMagics[] = {kBzip2BlockMagic, kBzip2EndMagic};

// For each value of the two bytes after byte i: which (magic, shift) pairs
// could start at bit 8i + shift, bit 2 * shift + magic of the mask. Those two
// bytes lie wholly inside a magic at every shift, so a random pair passes
// with odds of 16 in 65536.
const std::array<std::uint16_t, 65536>& candidate_table() {
  static const auto table = [] {
    std::array<std::uint16_t, 65536> built{};
    for (unsigned shift = 0; shift < 8; ++shift) {
      for (unsigned magic = 0; magic < 2; ++magic) {
        const auto pair = static_cast<std::size_t>((kMagics[magic] >> (24 + shift)) & 0xffff);
        built[pair] = static_cast<std::uint16_t>(built[pair] | (1u << (2 * shift + magic)));
      }
    }
    return built;
  }();
  return table;
}

}  // namespace

void find_bzip2_magics(ByteView bytes, std::uint64_t first_bit, std::uint64_t from,
                       std::vector<Bzip2Magic>& found) {
  const auto& table = candidate_table();
  const std::uint64_t total_bits = bytes.size() * std::uint64_t{8};
  if (total_bits < kBzip2MagicBits) return;
  const std::uint64_t skip_bits = from > first_bit ? from - first_bit : 0;
  // A magic at bit 8i + shift ends by bit 8i + 55: the last i to look at
  // has room for shift 0.
  const std::size_t last = static_cast<std::size_t>((total_bits - kBzip2MagicBits) / 8);
  for (std::size_t i = static_cast<std::size_t>(skip_bits / 8); i <= last; ++i) {
    const std::uint16_t mask =
        i + 2 < bytes.size() ? table[static_cast<std::size_t>(bytes[i + 1] << 8 | bytes[i + 2])]
                             : 0;
    if (mask == 0) continue;
    for (unsigned shift = 0; shift < 8; ++shift) {
      if ((mask >> (2 * shift) & 3) == 0) continue;
      const std::uint64_t bit = std::uint64_t{i} * 8 + shift;
      if (bit < skip_bits || bit + kBzip2MagicBits > total_bits) continue;
      const std::uint64_t value = read_bits(bytes, bit, kBzip2MagicBits);
      if (value == kBzip2BlockMagic || value == kBzip2EndMagic) {
        found.push_back({first_bit + bit, value == kBzip2EndMagic});
      }
    }
  }
}

std::uint64_t read_bits(ByteView bytes, std::uint64_t bit, unsigned count) {
  std::uint64_t window = 0;
  const std::size_t first = static_cast<std::size_t>(bit / 8);
  for (std::size_t i = 0; i < 8; ++i) {
    window = window << 8 | (first + i < bytes.size() ? bytes[first + i] : 0);
  }
  window <<= bit % 8;
  return count == 0 ? 0 : window >> (64 - count);
}

void BitWriter::put(std::uint64_t value, unsigned count) {
  for (unsigned i = count; i > 0; --i) {
    const unsigned one = static_cast<unsigned>(value >> (i - 1) & 1);
    if (bits_ % 8 == 0) out_.push_back(0);
    out_.back() = static_cast<std::uint8_t>(out_.back() | one << (7 - bits_ % 8));
    ++bits_;
  }
}

void BitWriter::copy(ByteView bytes, std::uint64_t bit, std::uint64_t count) {
  if (bits_ % 8 == 0) {
    // Whole output bytes, each from two input bytes.
    const unsigned shift = static_cast<unsigned>(bit % 8);
    std::size_t in = static_cast<std::size_t>(bit / 8);
    out_.reserve(out_.size() + static_cast<std::size_t>(count / 8) + 1);
    for (; count >= 8; count -= 8, bit += 8, bits_ += 8, ++in) {
      const unsigned high = static_cast<unsigned>(bytes[in]) << shift;
      const unsigned low =
          shift == 0 || in + 1 >= bytes.size() ? 0u : static_cast<unsigned>(bytes[in + 1]) >> (8 - shift);
      out_.push_back(static_cast<std::uint8_t>(high | low));
    }
  }
  for (; count > 0;) {
    const unsigned piece = static_cast<unsigned>(count < 32 ? count : 32);
    put(read_bits(bytes, bit, piece), piece);
    bit += piece;
    count -= piece;
  }
}

}  // namespace imagelib::parallel
