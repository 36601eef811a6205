#include "reference/formats/vhdx.h"

#include <gtest/gtest.h>

#include "reference/formats/container_testing.h"
#include "reference/formats/qemu_img_testing.h"

namespace imagelib {
namespace {

using testing::expect_decodes_like_qemu;
using testing::expect_refused;

constexpr std::size_t kHeader1 = 64 * 1024;
constexpr std::size_t kHeader2 = 128 * 1024;
constexpr std::size_t kRegionTable = 192 * 1024;

void store_le(Bytes& bytes, std::size_t offset, std::uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i)
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// Recomputes the CRC-32C of the `length`-byte structure at `offset`
// (checksum field at +4), bit by bit, independently of the reader's table.
void fix_crc(Bytes& bytes, std::size_t offset, std::size_t length) {
  store_le(bytes, offset + 4, 0, 4);
  std::uint32_t crc = 0xffffffff;
  for (std::size_t i = 0; i < length; ++i) {
    crc ^= bytes[offset + i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
  }
  store_le(bytes, offset + 4, ~crc, 4);
}

// The file offset of the region whose GUID starts with `first_byte`
// (0x66: BAT, 0x06: metadata).
std::size_t region_offset(const Bytes& image, std::uint8_t first_byte) {
  const std::uint32_t count = load_le32(image, kRegionTable + 8);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t entry = kRegionTable + 16 + 32 * i;
    if (image[entry] == first_byte) return static_cast<std::size_t>(load_le64(image, entry + 16));
  }
  ADD_FAILURE() << "no region starting with " << int{first_byte};
  return 0;
}
std::size_t bat_offset(const Bytes& image) { return region_offset(image, 0x66); }
std::size_t metadata_offset(const Bytes& image) { return region_offset(image, 0x06); }

// The metadata item entry whose GUID starts with `first_byte` (0x37: file
// parameters, 0x24: virtual disk size, 0xab: page 83 data).
std::size_t metadata_entry(const Bytes& image, std::uint8_t first_byte) {
  const std::size_t table = metadata_offset(image);
  const std::uint16_t count = load_le16(image, table + 10);
  for (std::uint16_t i = 0; i < count; ++i) {
    if (image[table + 32 + 32 * i] == first_byte) return table + 32 + 32 * i;
  }
  ADD_FAILURE() << "no metadata item starting with " << int{first_byte};
  return 0;
}

// The current header (the higher sequence number).
std::size_t current_header(const Bytes& image) {
  return load_le64(image, kHeader1 + 8) > load_le64(image, kHeader2 + 8) ? kHeader1 : kHeader2;
}

class VhdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::qemu_img_available()) GTEST_SKIP() << "qemu-img is not installed";
  }
  // A dynamic disk of 5 MiB + 512 in 1 MiB blocks.
  static Bytes dynamic_image() {
    auto image = testing::make_qemu_image(
        {"vhdx", {"-o", "block_size=1M,log_size=1M"}, 5 * kMiB + 512, 1 * kMiB, 7});
    EXPECT_TRUE(image.ok()) << image.status().to_string();
    return image.ok() ? *image : Bytes{};
  }
};

TEST_F(VhdxTest, DynamicDisksDecodeLikeQemu) {
  expect_decodes_like_qemu(vhdx_format(), {"vhdx", {}, 3 * kMiB + 12800, 900'000, 1});
  expect_decodes_like_qemu(vhdx_format(), {"vhdx", {}, 1'000'001, 300'000, 11});
  expect_decodes_like_qemu(
      vhdx_format(), {"vhdx", {"-o", "block_size=1M,log_size=1M"}, 9 * kMiB + 4608, 3 * kMiB, 2});
}

TEST_F(VhdxTest, FixedDisksDecodeLikeQemu) {
  expect_decodes_like_qemu(
      vhdx_format(), {"vhdx", {"-o", "subformat=fixed,block_size=1M"}, 2 * kMiB + 512, 700'000, 3});
}

TEST_F(VhdxTest, DisksAbove4GiBWithLittleDataDecodeLikeQemu) {
  expect_decodes_like_qemu(vhdx_format(), {"vhdx", {}, 4 * kGiB + 3 * kMiB + 1024, 2 * kMiB, 5});
}

TEST_F(VhdxTest, SignatureIsRecognisedAndZerosAreNot) {
  EXPECT_TRUE(vhdx_format().matches(testing::blob_of(dynamic_image())));
  EXPECT_FALSE(vhdx_format().matches(testing::blob_of(Bytes(256 * 1024, 0))));
  EXPECT_FALSE(vhdx_format().matches(testing::blob_of(Bytes(3, 0))));
}

TEST_F(VhdxTest, OneDamagedHeaderFallsBackToTheOther) {
  const Bytes original = dynamic_image();
  Bytes image = original;
  image[current_header(image) + 100] ^= 1;  // inside the CRC-covered 4 KiB
  auto expected = testing::decode_and_hash(vhdx_format(), testing::blob_of(original));
  auto decoded = testing::decode_and_hash(vhdx_format(), testing::blob_of(image));
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(decoded->sha256, expected->sha256);
  image[kHeader1 + kHeader2 - current_header(image) + 100] ^= 1;
  expect_refused(vhdx_format(), image, "no valid header");
}

TEST_F(VhdxTest, ALogThatMayNeedReplayingIsRefused) {
  Bytes image = dynamic_image();
  for (const std::size_t header : {kHeader1, kHeader2}) {
    image[header + 48] = 0x11;  // log GUID
    fix_crc(image, header, 4096);
  }
  expect_refused(vhdx_format(), image, "log GUID is set");
}

TEST_F(VhdxTest, DifferencingDisksAreRefused) {
  Bytes image = dynamic_image();
  const std::size_t parameters =
      metadata_offset(image) + load_le32(image, metadata_entry(image, 0x37) + 16);
  image[parameters + 4] |= 2;  // HasParent
  expect_refused(vhdx_format(), image, "has a parent");

  image = dynamic_image();
  const std::size_t page83 = metadata_entry(image, 0xab);
  const Bytes parent_locator = {0x2d, 0x5f, 0xd3, 0xa8, 0x0b, 0xb3, 0x4d, 0x45,
                                0xab, 0xf7, 0xd3, 0xd8, 0x48, 0x34, 0xab, 0x0c};
  std::copy(parent_locator.begin(), parent_locator.end(),
            image.begin() + static_cast<std::ptrdiff_t>(page83));
  expect_refused(vhdx_format(), image, "parent locator");

  image = dynamic_image();
  const std::size_t bat = bat_offset(image);
  store_le(image, bat, (load_le64(image, bat) & ~std::uint64_t{7}) | 7, 8);
  expect_refused(vhdx_format(), image, "partially present");
}

TEST_F(VhdxTest, BadChecksumsAndTablesAreRefused) {
  Bytes image = dynamic_image();
  image[kRegionTable + 40] ^= 1;
  expect_refused(vhdx_format(), image, "region table checksum");

  image = dynamic_image();
  image[metadata_offset(image)] = 'X';
  expect_refused(vhdx_format(), image, "metadata table signature");

  image = dynamic_image();
  const std::size_t size_item =
      metadata_offset(image) + load_le32(image, metadata_entry(image, 0x24) + 16);
  store_le(image, size_item, std::uint64_t{1} << 50, 8);  // 1 PiB
  expect_refused(vhdx_format(), image, "above the limit");

  image = dynamic_image();
  const std::size_t parameters =
      metadata_offset(image) + load_le32(image, metadata_entry(image, 0x37) + 16);
  store_le(image, parameters, 3 * kMiB, 4);
  expect_refused(vhdx_format(), image, "block size");

  image = dynamic_image();
  store_le(image, metadata_entry(image, 0x37) + 16, 0x7fffffff, 4);
  expect_refused(vhdx_format(), image, "outside the metadata region");

  image = dynamic_image();
  store_le(image, kRegionTable + 8, 5000, 4);
  fix_crc(image, kRegionTable, 64 * 1024);
  expect_refused(vhdx_format(), image, "region table of 5000 entries");
}

TEST_F(VhdxTest, BlocksOutsideTheFileOverMetadataOrSharedAreRefused) {
  const Bytes original = dynamic_image();
  const std::size_t bat = bat_offset(original);
  std::size_t first = 0;
  while ((load_le64(original, bat + 8 * first) & 7) != 6) ++first;
  const std::uint64_t present = load_le64(original, bat + 8 * first);

  Bytes image = original;
  store_le(image, bat + 8 * first, (std::uint64_t{1} << 40) | 6, 8);
  expect_refused(vhdx_format(), image, "outside the file");

  image = original;
  store_le(image, bat + 8 * first, bat | 6, 8);
  expect_refused(vhdx_format(), image, "over its headers");

  image = original;
  store_le(image, bat + 8 * (first == 0 ? 1 : 0), present, 8);
  expect_refused(vhdx_format(), image, "share stored bytes");

  image = original;
  store_le(image, bat + 8 * first, (present & ~std::uint64_t{7}) | 4, 8);
  expect_refused(vhdx_format(), image, "unknown state 4");
}

TEST_F(VhdxTest, TruncationsAtEveryStructureAreRefused) {
  const Bytes image = dynamic_image();
  const std::size_t bat = bat_offset(image);
  const std::size_t first_block =
      static_cast<std::size_t>(load_le64(image, bat) & ~std::uint64_t{0xfffff});
  testing::expect_truncations_refused(vhdx_format(), image,
                                      {8, kHeader1 + 4096, kHeader2 + 4096, kRegionTable + 4096,
                                       bat + 8, metadata_offset(image) + 4096, first_block + 1000});
}

TEST_F(VhdxTest, RandomOverwritesOfMetadataAndBatAreDecodedOrRefused) {
  const Bytes image = dynamic_image();
  const std::size_t metadata = metadata_offset(image);
  const std::size_t bat = bat_offset(image);
  testing::expect_random_overwrites_handled(vhdx_format(), image,
                                            {{kHeader1, kHeader1 + 80},
                                             {metadata, metadata + 192},
                                             {bat, bat + 64},
                                             {metadata + 64 * 1024, metadata + 64 * 1024 + 64}});
}

TEST_F(VhdxTest, BitFlipsInHeadersRegionsMetadataAndBatAreDecodedOrRefused) {
  const Bytes image = dynamic_image();
  const std::size_t header = current_header(image);
  testing::expect_bit_flips_handled(vhdx_format(), image, header, header + 80);
  testing::expect_bit_flips_handled(vhdx_format(), image, kRegionTable, kRegionTable + 80);
  const std::size_t metadata = metadata_offset(image);
  testing::expect_bit_flips_handled(vhdx_format(), image, metadata, metadata + 32 + 5 * 32);
  const std::size_t bat = bat_offset(image);
  testing::expect_bit_flips_handled(vhdx_format(), image, bat, bat + 64);
}

}  // namespace
}  // namespace imagelib
