#include "reference/base/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace imagelib {
namespace {

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

TEST(Crc32c, MatchesTheStandardCheckValues) {
  EXPECT_EQ(crc32c(view("123456789")), 0xe3069283u);  // the catalogue's check value
  EXPECT_EQ(crc32c(view("")), 0u);
  // RFC 3720 (iSCSI) B.4: 32 bytes of zeros, and of 0xff.
  EXPECT_EQ(crc32c(view(std::string(32, '\0'))), 0x8a9136aau);
  EXPECT_EQ(crc32c(view(std::string(32, '\xff'))), 0x62a8ab43u);
}

TEST(Crc32c, ExtendingPieceByPieceGivesTheWholeChecksum) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text.push_back(static_cast<char>(i * 7 + 3));
  const std::uint32_t whole = crc32c(view(text));
  for (std::size_t cut : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
    EXPECT_EQ(crc32c_extend(crc32c(view(text.substr(0, cut))), view(text.substr(cut))), whole) << cut;
  }
}

}  // namespace
}  // namespace imagelib
