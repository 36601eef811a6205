#include "reference/formats/vdi.h"

#include <gtest/gtest.h>

#include "reference/formats/container_testing.h"
#include "reference/formats/qemu_img_testing.h"

namespace imagelib {
namespace {

using testing::expect_decodes_like_qemu;
using testing::expect_refused;
using testing::QemuVector;

void store_le32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) {
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

class VdiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::qemu_img_available()) GTEST_SKIP() << "qemu-img is not installed";
  }
  // A 5 MiB + 512 dynamic image with data in some blocks.
  static Bytes dynamic_image() {
    auto image = testing::make_qemu_image({"vdi", {}, 5 * kMiB + 512, 1 * kMiB, 7});
    EXPECT_TRUE(image.ok()) << image.status().to_string();
    return image.ok() ? *image : Bytes{};
  }
};

TEST_F(VdiTest, DynamicImagesDecodeLikeQemu) {
  expect_decodes_like_qemu(vdi_format(), {"vdi", {}, 3 * kMiB + 12800, 900'000, 1});
  // qemu-img rounds a source of an odd size up to whole sectors.
  expect_decodes_like_qemu(vdi_format(), {"vdi", {}, 1'000'001, 300'000, 11});
}

TEST_F(VdiTest, StaticImagesDecodeLikeQemu) {
  expect_decodes_like_qemu(vdi_format(), {"vdi", {"-o", "static=on"}, 2 * kMiB + 512, 700'000, 2});
}

TEST_F(VdiTest, ImagesAbove4GiBWithLittleDataDecodeLikeQemu) {
  expect_decodes_like_qemu(vdi_format(), {"vdi", {}, 4 * kGiB + 3 * kMiB + 1024, 2 * kMiB, 3});
}

TEST_F(VdiTest, SignatureIsRecognisedAndZerosAreNot) {
  const Bytes image = dynamic_image();
  EXPECT_TRUE(vdi_format().matches(testing::blob_of(image)));
  EXPECT_FALSE(vdi_format().matches(testing::blob_of(Bytes(64 * 1024, 0))));
  EXPECT_FALSE(vdi_format().matches(testing::blob_of(Bytes(10, 0))));
}

TEST_F(VdiTest, DifferencingImagesWithAParentAreRefused) {
  Bytes image = dynamic_image();
  store_le32(image, 0x4c, 4);  // image type: differencing
  expect_refused(vdi_format(), image, "image type 4");
  image = dynamic_image();
  image[0x1b8] = 0x42;  // parent UUID
  expect_refused(vdi_format(), image, "parent UUID");
}

TEST_F(VdiTest, BlockIndexesPastTheAllocatedCountOrTheFileAreRefused) {
  Bytes image = dynamic_image();
  const std::uint32_t map = load_le32(image, 0x154);
  const std::uint32_t allocated = load_le32(image, 0x184);
  ASSERT_GT(allocated, 0u);
  std::size_t first = 0;
  while (load_le32(image, map + 4 * first) == 0xffffffff) ++first;
  store_le32(image, map + 4 * first, allocated);
  expect_refused(vdi_format(), image, "past the");

  image = dynamic_image();
  store_le32(image, 0x184, 0x7ffffff0);  // claims many allocated blocks
  store_le32(image, map + 4 * first, 0x7fffff00);
  expect_refused(vdi_format(), image, "outside the file");
}

TEST_F(VdiTest, TwoBlocksSharingOneStoredBlockAreRefused) {
  Bytes image = dynamic_image();
  const std::uint32_t map = load_le32(image, 0x154);
  store_le32(image, map + 0, 0);
  store_le32(image, map + 4, 0);
  expect_refused(vdi_format(), image, "share stored bytes");
}

TEST_F(VdiTest, BadHeaderFieldsAreRefused) {
  const Bytes original = dynamic_image();
  const struct {
    std::size_t offset;
    std::uint32_t value;
    const char* reason;
  } cases[] = {
      {0x44, 0x00010000, "unsupported version"},
      {0x48, 0x10, "header size"},
      {0x48, 0x1000, "header size"},
      {0x168, 4096, "sector size"},
      {0x178, 2 * 1024 * 1024, "block size"},
      {0x17c, 512, "extra bytes"},
      {0x180, 1, "needs more than"},
      {0x154, 0x201, "sector-aligned"},
      {0x158, 0x7ffffe00, "past the end"},
  };
  for (const auto& c : cases) {
    Bytes image = original;
    store_le32(image, c.offset, c.value);
    SCOPED_TRACE(c.reason);
    expect_refused(vdi_format(), image, c.reason);
  }
}

TEST_F(VdiTest, VirtualSizeAboveTheLimitIsRefused) {
  expect_refused(vdi_format(), dynamic_image(), "above the limit",
                 DecodeLimits{.max_virtual_size = 4 * kMiB});
}

TEST_F(VdiTest, TruncationsAtEveryStructureAreRefused) {
  const Bytes image = dynamic_image();
  const std::uint32_t data = load_le32(image, 0x158);
  testing::expect_truncations_refused(
      vdi_format(), image, {0x44, 0x200, load_le32(image, 0x154) + 4, data, data + kMiB / 2});
}

TEST_F(VdiTest, RandomOverwritesOfHeaderAndMapAreDecodedOrRefused) {
  const Bytes image = dynamic_image();
  const std::uint32_t map = load_le32(image, 0x154);
  testing::expect_random_overwrites_handled(vdi_format(), image, {{0x40, 0x1c8}, {map, map + 24}});
}

TEST_F(VdiTest, BitFlipsInTheHeaderAndBlockMapAreDecodedOrRefused) {
  const Bytes image = dynamic_image();
  testing::expect_bit_flips_handled(vdi_format(), image, 0x40, 0x1c8);
  const std::uint32_t map = load_le32(image, 0x154);
  testing::expect_bit_flips_handled(vdi_format(), image, map, map + 4 * 6);
}

}  // namespace
}  // namespace imagelib
