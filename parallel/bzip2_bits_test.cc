// The magic scanner finds every magic at every bit offset, and only those
// (checked against a bit-by-bit search); bits are read and copied at any
// offset; the magics never overlap each other by 40 bits or more.
#include "parallel/bzip2_bits.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "reference/base/rng.h"

namespace imagelib::parallel {
namespace {

std::vector<Bzip2Magic> brute_force(ByteView bytes) {
  std::vector<Bzip2Magic> found;
  for (std::uint64_t bit = 0; bit + kBzip2MagicBits <= bytes.size() * 8; ++bit) {
    const std::uint64_t value = read_bits(bytes, bit, kBzip2MagicBits);
    if (value == kBzip2BlockMagic || value == kBzip2EndMagic) {
      found.push_back({bit, value == kBzip2EndMagic});
    }
  }
  return found;
}

Bytes random_bytes(Rng& rng, std::size_t size) {
  Bytes bytes(size);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng.next_u64());
  return bytes;
}

TEST(Bzip2Bits, FindsPlantedMagicsAtEveryShift) {
  Rng rng(7);
  for (std::uint64_t shift = 0; shift < 8; ++shift) {
    Bytes bytes = random_bytes(rng, 64);
    Bytes planted;
    BitWriter writer(planted);
    writer.copy(bytes, 0, 100 + shift);
    writer.put(kBzip2BlockMagic >> 16, 32);
    writer.put(kBzip2BlockMagic & 0xffff, 16);
    writer.put(kBzip2EndMagic >> 16, 32);
    writer.put(kBzip2EndMagic & 0xffff, 16);
    writer.copy(bytes, 0, 64);
    std::vector<Bzip2Magic> found;
    find_bzip2_magics(planted, 0, 0, found);
    EXPECT_EQ(found, brute_force(planted));
    EXPECT_NE(std::find(found.begin(), found.end(), Bzip2Magic{100 + shift, false}), found.end());
    EXPECT_NE(std::find(found.begin(), found.end(), Bzip2Magic{148 + shift, true}), found.end());
    std::vector<Bzip2Magic> later;
    find_bzip2_magics(planted, 800, 800 + 101 + shift, later);  // as if at byte 100 of a file
    for (const auto& magic : later) EXPECT_GE(magic.bit, 800 + 101 + shift);
    EXPECT_EQ(later.size(), found.size() - 1);
  }
}

TEST(Bzip2Bits, FindsWhatABitByBitSearchFinds) {
  Rng rng(11);
  // Bytes drawn from the magics' own, so that near misses abound.
  const std::uint8_t alphabet[] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x17, 0x72,
                                   0x45, 0x38, 0x50, 0x90, 0x62, 0x82, 0xb2};
  for (int round = 0; round < 50; ++round) {
    Bytes bytes(512);
    for (auto& byte : bytes) byte = alphabet[rng.next_u64() % sizeof alphabet];
    std::vector<Bzip2Magic> found;
    find_bzip2_magics(bytes, 0, 0, found);
    EXPECT_EQ(found, brute_force(bytes));
  }
}

TEST(Bzip2Bits, ReadsAndCopiesBitsAtAnyOffset) {
  Rng rng(5);
  const Bytes bytes = random_bytes(rng, 32);
  for (std::uint64_t from = 0; from < 40; ++from) {
    Bytes copied{0xab};
    BitWriter writer(copied);
    writer.copy(bytes, from, 150);
    EXPECT_EQ(writer.bits(), 158u);
    EXPECT_EQ(copied[0], 0xab);
    for (std::uint64_t bit = 0; bit < 150; bit += 7) {
      EXPECT_EQ(read_bits(copied, 8 + bit, 1), read_bits(bytes, from + bit, 1))
          << from << " " << bit;
    }
  }
  EXPECT_EQ(read_bits(Bytes{0x80, 0x01}, 0, 16), 0x8001u);
  EXPECT_EQ(read_bits(Bytes{0x80, 0x01}, 15, 8), 0x80u);  // past the end reads as zero
}

TEST(Bzip2Bits, MagicsNeverOverlapByFortyBits) {
  static_assert(bzip2_magics_never_overlap(8));
  // They do by 3 bits (shift 45): the check is not vacuous.
  EXPECT_FALSE(bzip2_magics_never_overlap(45));
}

}  // namespace
}  // namespace imagelib::parallel
