#include "reference/base/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace imagelib {
namespace {

constexpr std::uint32_t kPolynomial = 0x82f63b78;  // reflected Castagnoli

// Both take and return the register's raw (inverted) state.
std::uint32_t extend_by_table(std::uint32_t state, const std::uint8_t* data, std::size_t size) {
  static const std::array<std::uint32_t, 256> kTable = [] {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t crc = i;
      for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0u);
      table[i] = crc;
    }
    return table;
  }();
  for (std::size_t i = 0; i < size; ++i) state = kTable[(state ^ data[i]) & 0xff] ^ (state >> 8);
  return state;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t extend_by_instruction(std::uint32_t state,
                                                                      const std::uint8_t* data,
                                                                      std::size_t size) {
  std::uint64_t wide = state;
  for (; size >= 8; data += 8, size -= 8) {
    std::uint64_t word;
    std::memcpy(&word, data, 8);
    wide = _mm_crc32_u64(wide, word);
  }
  auto narrow = static_cast<std::uint32_t>(wide);
  for (; size > 0; ++data, --size) narrow = _mm_crc32_u8(narrow, *data);
  return narrow;
}

const bool kHasInstruction = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, ByteView bytes) {
  const std::uint32_t state = ~crc;
#if defined(__x86_64__)
  if (kHasInstruction) return ~extend_by_instruction(state, bytes.data(), bytes.size());
#endif
  return ~extend_by_table(state, bytes.data(), bytes.size());
}

std::uint32_t crc32c(ByteView bytes) { return crc32c_extend(0, bytes); }

}  // namespace imagelib
