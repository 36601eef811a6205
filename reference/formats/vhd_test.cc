#include "reference/formats/vhd.h"

#include <gtest/gtest.h>

#include "reference/formats/container_testing.h"
#include "reference/formats/qemu_img_testing.h"

namespace imagelib {
namespace {

using testing::expect_decodes_like_qemu;
using testing::expect_refused;

void store_be32(Bytes& bytes, std::size_t offset, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) {
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * (3 - i)));
  }
}

// Recomputes the footer or dynamic header checksum at `offset` (field at
// `checksum_offset` of a `length`-byte structure).
void fix_checksum(Bytes& bytes, std::size_t offset, std::size_t length,
                  std::size_t checksum_offset) {
  store_be32(bytes, offset + checksum_offset, 0);
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < length; ++i) sum += bytes[offset + i];
  store_be32(bytes, offset + checksum_offset, ~sum);
}

void fix_footers(Bytes& image) {
  fix_checksum(image, 0, 512, 64);
  fix_checksum(image, image.size() - 512, 512, 64);
}

class VhdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::qemu_img_available()) GTEST_SKIP() << "qemu-img is not installed";
  }
  // A dynamic disk of 5 MiB + 512 (2 MiB blocks), current_size trusted.
  static Bytes dynamic_image() {
    auto image = testing::make_qemu_image(
        {"vpc", {"-o", "subformat=dynamic,force_size=on"}, 5 * kMiB + 512, 1 * kMiB, 7});
    EXPECT_TRUE(image.ok()) << image.status().to_string();
    return image.ok() ? *image : Bytes{};
  }
  static Bytes fixed_image() {
    auto image = testing::make_qemu_image(
        {"vpc", {"-o", "subformat=fixed,force_size=on"}, 1 * kMiB + 1536, 300'000, 8});
    EXPECT_TRUE(image.ok()) << image.status().to_string();
    return image.ok() ? *image : Bytes{};
  }
};

TEST_F(VhdTest, DynamicDisksSizedByGeometryDecodeLikeQemu) {
  // Without force_size qemu-img rounds the size up to a CHS geometry and
  // marks the disk "qemu", whose size is then read from the geometry.
  expect_decodes_like_qemu(vpc_format(), {"vpc", {}, 3 * kMiB + 12800, 900'000, 1});
  expect_decodes_like_qemu(vpc_format(), {"vpc", {"-o", "force_size=on"}, 1'000'001, 300'000, 11});
}

TEST_F(VhdTest, DynamicDisksWithCurrentSizeDecodeLikeQemu) {
  expect_decodes_like_qemu(
      vpc_format(),
      {"vpc", {"-o", "subformat=dynamic,force_size=on"}, 5 * kMiB + 4608, 2 * kMiB, 2});
}

TEST_F(VhdTest, FixedDisksDecodeLikeQemu) {
  expect_decodes_like_qemu(vpc_format(),
                           {"vpc", {"-o", "subformat=fixed"}, 2 * kMiB + 512, 700'000, 3});
  expect_decodes_like_qemu(
      vpc_format(), {"vpc", {"-o", "subformat=fixed,force_size=on"}, kMiB + 1536, 300'000, 4});
}

TEST_F(VhdTest, DisksAbove4GiBWithLittleDataDecodeLikeQemu) {
  expect_decodes_like_qemu(
      vpc_format(), {"vpc", {"-o", "force_size=on"}, 4 * kGiB + 3 * kMiB + 1024, 2 * kMiB, 5});
}

TEST_F(VhdTest, BothFooterPlacesAreRecognisedAndZerosAreNot) {
  EXPECT_TRUE(vpc_format().matches(testing::blob_of(dynamic_image())));
  EXPECT_TRUE(vpc_format().matches(testing::blob_of(fixed_image())));
  EXPECT_FALSE(vpc_format().matches(testing::blob_of(Bytes(64 * 1024, 0))));
  EXPECT_FALSE(vpc_format().matches(testing::blob_of(Bytes(3, 0))));
}

TEST_F(VhdTest, DifferencingDisksAreRefused) {
  // qemu-img cannot make one ("Backing file not supported for file format
  // 'vpc'"), so a dynamic disk is relabelled, as a hand-made one would be.
  Bytes image = dynamic_image();
  store_be32(image, 60, 4);
  store_be32(image, image.size() - 512 + 60, 4);
  fix_footers(image);
  expect_refused(vpc_format(), image, "differencing disk");
  Bytes fixed = fixed_image();
  store_be32(fixed, fixed.size() - 512 + 60, 4);
  fix_checksum(fixed, fixed.size() - 512, 512, 64);
  expect_refused(vpc_format(), fixed, "differencing disk");
}

TEST_F(VhdTest, BadChecksumsAreRefused) {
  Bytes image = dynamic_image();
  image[40] ^= 1;  // original size, covered by the footer checksum
  expect_refused(vpc_format(), image, "footer checksum");
  Bytes fixed = fixed_image();
  fixed[fixed.size() - 512 + 40] ^= 1;
  expect_refused(vpc_format(), fixed, "footer checksum");
  image = dynamic_image();
  image[512 + 24] ^= 1;  // dynamic header version
  expect_refused(vpc_format(), image, "dynamic disk header checksum");
}

TEST_F(VhdTest, TableEntriesOutsideTheFileOrSharedAreRefused) {
  Bytes image = dynamic_image();
  const std::size_t table = static_cast<std::size_t>(load_be64(image, 512 + 16));
  store_be32(image, table, 0x7fffff00);
  expect_refused(vpc_format(), image, "lies outside the file");

  image = dynamic_image();
  std::size_t first = 0;
  while (load_be32(image, table + 4 * first) == 0xffffffff) ++first;
  store_be32(image, table + 4 * (first == 0 ? 1 : 0), load_be32(image, table + 4 * first) + 1);
  expect_refused(vpc_format(), image, "share stored bytes");
}

TEST_F(VhdTest, BadDynamicHeadersAreRefused) {
  const Bytes original = dynamic_image();
  const struct {
    std::size_t offset;
    std::uint32_t value;
    const char* reason;
  } cases[] = {
      {512 + 32, 3 * 1024 * 1024, "not a power of two"},
      {512 + 32, 256, "not a power of two"},
      {512 + 28, 1, "the disk needs"},
      {512 + 16, 0x7fffffff, "outside the file"},
      {512, 0, "cxsparse"},
  };
  for (const auto& c : cases) {
    Bytes image = original;
    store_be32(image, c.offset, c.value);
    fix_checksum(image, 512, 1024, 36);
    SCOPED_TRACE(c.reason);
    expect_refused(vpc_format(), image, c.reason);
  }
  Bytes image = original;
  store_be32(image, 16 + 4, 0x7fffffff);  // footer data offset (low half)
  fix_checksum(image, 0, 512, 64);
  expect_refused(vpc_format(), image, "outside the file");
}

TEST_F(VhdTest, HugeSizesAreRefused) {
  Bytes image = dynamic_image();
  store_be32(image, 48, 0x00001000);  // current_size = 16 TiB
  fix_footers(image);
  expect_refused(vpc_format(), image, "2040 GiB");
  expect_refused(vpc_format(), dynamic_image(), "above the limit",
                 DecodeLimits{.max_virtual_size = 4 * kMiB});
  Bytes fixed = fixed_image();
  store_be32(fixed, fixed.size() - 512 + 52, 0x00200000);  // larger than the file
  fix_checksum(fixed, fixed.size() - 512, 512, 64);
  expect_refused(vpc_format(), fixed, "bytes before its footer");
}

TEST_F(VhdTest, TruncationsAtEveryStructureAreRefused) {
  const Bytes image = dynamic_image();
  const std::uint64_t table = load_be64(image, 512 + 16);
  testing::expect_truncations_refused(
      vpc_format(), image,
      {8, 512, 1024, 1536, table + 4, image.size() - 600, image.size() - 4096});
  testing::expect_truncations_refused(vpc_format(), fixed_image(), {8, 512});
}

TEST_F(VhdTest, RandomOverwritesOfFooterHeaderAndTableAreDecodedOrRefused) {
  // Footer bytes are covered by the checksum, so most overwrites there are
  // refused early; the dynamic header and BAT get the rest.
  const Bytes image = dynamic_image();
  testing::expect_random_overwrites_handled(vpc_format(), image,
                                            {{0, 512}, {512, 1536}, {1536, 1536 + 16}});
}

TEST_F(VhdTest, BitFlipsInFootersHeaderAndTableAreDecodedOrRefused) {
  const Bytes image = dynamic_image();
  testing::expect_bit_flips_handled(vpc_format(), image, 0, 2048);
  const Bytes fixed = fixed_image();
  testing::expect_bit_flips_handled(vpc_format(), fixed, fixed.size() - 512, fixed.size());
}

}  // namespace
}  // namespace imagelib
