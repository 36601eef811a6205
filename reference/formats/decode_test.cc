#include "reference/formats/decode.h"

#include <gtest/gtest.h>

#include "reference/base/sha256.h"

namespace imagelib {
namespace {

TEST(DecodeImage, RawDiskIsCopiedHashedAndMeasured) {
  MemoryBlob file, disk;
  Bytes content(3 * 4096, 0);
  content[5000] = 1;  // one non-zero 4 KiB block
  ASSERT_TRUE(file.write_at(0, content).ok());
  auto decoded = decode_image(file, disk, DecodeLimits{});
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->format, "raw");
  EXPECT_EQ(decoded->virtual_size, content.size());
  EXPECT_EQ(decoded->disk_size, 4096u);
  EXPECT_EQ(decoded->sha256, sha256_hex(content));
  EXPECT_EQ(*read_all(disk), content);
}

TEST(DecodeImage, EmptyFileIsRejectedWithAReason) {
  MemoryBlob file, disk;
  auto decoded = decode_image(file, disk, DecodeLimits{});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kBadImage);
  EXPECT_EQ(decoded.status().message(), "the file is empty");
}

TEST(DecodeImage, VirtualSizeAboveTheCapIsRejected) {
  MemoryBlob file, disk;
  ASSERT_TRUE(file.resize(3 * kMiB).ok());
  auto decoded = decode_image(file, disk, DecodeLimits{.max_virtual_size = 2 * kMiB});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kBadImage);
}

}  // namespace
}  // namespace imagelib
