#include "reference/base/blob.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace imagelib {
namespace {

TEST(MemoryBlob, ReadsBackWhatWasWrittenAndZerosElsewhere) {
  MemoryBlob blob;
  ASSERT_TRUE(blob.write_at(100'000, to_bytes("hello")).ok());
  EXPECT_EQ(blob.size(), 100'005u);
  Bytes out(7);
  ASSERT_TRUE(blob.read_at(99'998, out).ok());
  EXPECT_EQ(out, (Bytes{0, 0, 'h', 'e', 'l', 'l', 'o'}));
}

TEST(MemoryBlob, ReadPastTheEndIsOutOfRange) {
  MemoryBlob blob;
  ASSERT_TRUE(blob.write_at(0, to_bytes("abc")).ok());
  Bytes out(4);
  EXPECT_EQ(blob.read_at(0, out).code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(blob.read_at(4, MutableByteView(out).first(0)).code(), ErrorCode::kOutOfRange);
}

TEST(MemoryBlob, TenGibOfZerosStoresNoPage) {
  MemoryBlob blob;
  ASSERT_TRUE(blob.resize(10 * kGiB).ok());
  ASSERT_TRUE(blob.write_at(5 * kGiB, Bytes(1000, 0)).ok());
  EXPECT_EQ(blob.size(), 10 * kGiB);
  EXPECT_TRUE(blob.data_extents().empty());
}

TEST(MemoryBlob, OverwritingDataWithZerosDropsThePage) {
  MemoryBlob blob;
  ASSERT_TRUE(blob.write_at(10, to_bytes("x")).ok());
  ASSERT_EQ(blob.data_extents().size(), 1u);
  ASSERT_TRUE(blob.write_at(10, Bytes{0}).ok());
  EXPECT_TRUE(blob.data_extents().empty());
}

TEST(MemoryBlob, ShrinkingClearsTheCutBytes) {
  MemoryBlob blob;
  ASSERT_TRUE(blob.write_at(0, to_bytes("abcdef")).ok());
  ASSERT_TRUE(blob.resize(3).ok());
  ASSERT_TRUE(blob.resize(6).ok());
  auto all = read_all(blob);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (Bytes{'a', 'b', 'c', 0, 0, 0}));
}

TEST(MemoryBlob, AdjacentPagesMergeIntoOneExtent) {
  MemoryBlob blob;
  Bytes data(MemoryBlob::kPageSize * 2, 7);
  ASSERT_TRUE(blob.write_at(0, data).ok());
  ASSERT_TRUE(blob.write_at(MemoryBlob::kPageSize * 5, to_bytes("z")).ok());
  auto extents = blob.data_extents();
  ASSERT_EQ(extents.size(), 2u);
  EXPECT_EQ(extents[0].offset, 0u);
  EXPECT_EQ(extents[0].length, MemoryBlob::kPageSize * 2);
  EXPECT_EQ(extents[1].offset, MemoryBlob::kPageSize * 5);
  EXPECT_EQ(extents[1].length, 1u);
}

// A blob behaves like a plain byte vector under any sequence of writes.
RC_GTEST_PROP(MemoryBlob, MatchesAPlainVector, ()) {
  MemoryBlob blob;
  Bytes model;
  const auto writes = *rc::gen::container<std::vector<std::pair<std::uint32_t, Bytes>>>(
      rc::gen::pair(rc::gen::inRange<std::uint32_t>(0, 300'000),
                    rc::gen::container<Bytes>(rc::gen::elementOf(Bytes{0, 0, 0, 1, 255}))));
  for (const auto& [offset, data] : writes) {
    RC_ASSERT(blob.write_at(offset, data).ok());
    if (model.size() < offset + data.size()) model.resize(offset + data.size(), 0);
    std::copy(data.begin(), data.end(), model.begin() + offset);
  }
  const auto all = read_all(blob);
  RC_ASSERT(all.ok());
  RC_ASSERT(*all == model);
}

}  // namespace
}  // namespace imagelib
