#include "reference/base/sha256.h"

#include <gtest/gtest.h>

namespace imagelib {
namespace {

TEST(Sha256, MatchesFipsVectors) {
  EXPECT_EQ(sha256_hex(to_bytes("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(to_bytes("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, ZeroRunsHashLikeMaterialisedZeros) {
  Sha256 streamed;
  streamed.update(to_bytes("x"));
  streamed.update_zeros(200'000);
  Bytes whole = to_bytes("x");
  whole.resize(200'001, 0);
  EXPECT_EQ(streamed.hex_digest(), sha256_hex(whole));
}

TEST(Sha256Sink, FillsGapsAndTailWithZeros) {
  Sha256Sink sink;
  ASSERT_TRUE(sink.write_data(3, to_bytes("ab")).ok());
  ASSERT_TRUE(sink.write_zero(5, 2).ok());
  ASSERT_TRUE(sink.write_data(9, to_bytes("c")).ok());
  Bytes disk{0, 0, 0, 'a', 'b', 0, 0, 0, 0, 'c', 0, 0};
  EXPECT_EQ(sink.finish(disk.size()), sha256_hex(disk));
}

TEST(Sha256Sink, RefusesExtentsOutOfOrder) {
  Sha256Sink sink;
  ASSERT_TRUE(sink.write_data(10, to_bytes("ab")).ok());
  EXPECT_EQ(sink.write_data(0, to_bytes("c")).code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace imagelib
