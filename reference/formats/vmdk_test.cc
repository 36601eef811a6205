#include "reference/formats/vmdk.h"

#include <gtest/gtest.h>

#include <string>

#include "reference/formats/container_testing.h"
#include "reference/formats/qemu_img_testing.h"

namespace imagelib {
namespace {

using testing::expect_decodes_like_qemu;
using testing::expect_refused;

void store_le(Bytes& bytes, std::size_t offset, std::uint64_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i)
    bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// Byte offsets of the structures of a qemu-made sparse VMDK.
std::size_t descriptor_at(const Bytes& image) {
  return static_cast<std::size_t>(load_le64(image, 28) * 512);
}
std::size_t directory_at(const Bytes& image) {
  return static_cast<std::size_t>(load_le64(image, 56) * 512);
}
std::size_t first_table_at(const Bytes& image) {
  return static_cast<std::size_t>(load_le32(image, directory_at(image)) * std::uint64_t{512});
}

// Replaces the embedded descriptor's text.
void set_descriptor(Bytes& image, const std::string& text) {
  const std::size_t at = descriptor_at(image);
  const std::size_t size = static_cast<std::size_t>(load_le64(image, 36) * 512);
  ASSERT_LT(text.size(), size);
  std::fill(image.begin() + static_cast<std::ptrdiff_t>(at),
            image.begin() + static_cast<std::ptrdiff_t>(at + size), 0);
  std::copy(text.begin(), text.end(), image.begin() + static_cast<std::ptrdiff_t>(at));
}

std::string descriptor_text(const Bytes& image) {
  const char* at = reinterpret_cast<const char*>(image.data() + descriptor_at(image));
  return std::string(at);
}

class VmdkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::qemu_img_available()) GTEST_SKIP() << "qemu-img is not installed";
  }
  static Bytes image_of(const std::string& subformat, std::uint64_t size = 5 * kMiB + 512) {
    auto image =
        testing::make_qemu_image({"vmdk", {"-o", "subformat=" + subformat}, size, 1 * kMiB, 7});
    EXPECT_TRUE(image.ok()) << image.status().to_string();
    return image.ok() ? *image : Bytes{};
  }
  static Bytes sparse_image() { return image_of("monolithicSparse"); }
  static Bytes stream_image() { return image_of("streamOptimized"); }
};

TEST_F(VmdkTest, MonolithicSparseDecodesLikeQemu) {
  expect_decodes_like_qemu(
      vmdk_format(), {"vmdk", {"-o", "subformat=monolithicSparse"}, 3 * kMiB + 12800, 900'000, 1});
  expect_decodes_like_qemu(
      vmdk_format(),
      {"vmdk", {"-o", "subformat=monolithicSparse,zeroed_grain=on"}, 2 * kMiB + 512, 700'000, 2});
}

TEST_F(VmdkTest, StreamOptimizedDecodesLikeQemu) {
  expect_decodes_like_qemu(
      vmdk_format(), {"vmdk", {"-o", "subformat=streamOptimized"}, 3 * kMiB + 12800, 900'000, 3});
  expect_decodes_like_qemu(vmdk_format(),
                           {"vmdk", {"-o", "subformat=streamOptimized"}, 1'000'001, 300'000, 11});
  expect_decodes_like_qemu(vmdk_format(),
                           {"vmdk", {"-o", "subformat=monolithicSparse"}, 1'000'001, 300'000, 12});
}

TEST_F(VmdkTest, DisksAbove4GiBWithLittleDataDecodeLikeQemu) {
  expect_decodes_like_qemu(
      vmdk_format(),
      {"vmdk", {"-o", "subformat=monolithicSparse"}, 4 * kGiB + 3 * kMiB + 1024, 2 * kMiB, 5});
  expect_decodes_like_qemu(
      vmdk_format(),
      {"vmdk", {"-o", "subformat=streamOptimized"}, 4 * kGiB + 3 * kMiB + 1024, 2 * kMiB, 6});
}

TEST_F(VmdkTest, AGrainDirectoryInTheFooterIsFollowed) {
  // VMware writes streamOptimized files with gdOffset GD_AT_END and the real
  // header in a footer before the end-of-stream marker; qemu-img does not,
  // so the qemu file is rewritten that way.
  const Bytes original = stream_image();
  Bytes image(original.begin(), original.end() - 512);  // without the end-of-stream marker
  Bytes marker(512, 0);
  store_le(marker, 12, 3, 4);  // footer marker
  image.insert(image.end(), marker.begin(), marker.end());
  image.insert(image.end(), original.begin(), original.begin() + 512);  // header copy
  image.insert(image.end(), original.end() - 512, original.end());      // end of stream
  store_le(image, 56, ~std::uint64_t{0}, 8);
  auto expected = testing::decode_and_hash(vmdk_format(), testing::blob_of(original));
  auto decoded = testing::decode_and_hash(vmdk_format(), testing::blob_of(image));
  ASSERT_TRUE(expected.ok()) << expected.status().to_string();
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->sha256, expected->sha256);

  Bytes broken = image;
  broken[broken.size() - 1536 + 12] = 2;  // not a footer marker
  expect_refused(vmdk_format(), broken, "footer");
}

TEST_F(VmdkTest, SignaturesAreRecognisedAndZerosAreNot) {
  EXPECT_TRUE(vmdk_format().matches(testing::blob_of(sparse_image())));
  EXPECT_TRUE(
      vmdk_format().matches(testing::blob_of(to_bytes("# Disk DescriptorFile\r\nversion=1\r\n"))));
  EXPECT_TRUE(vmdk_format().matches(testing::blob_of(to_bytes("COWD and more"))));
  EXPECT_FALSE(vmdk_format().matches(testing::blob_of(Bytes(64 * 1024, 0))));
  EXPECT_FALSE(vmdk_format().matches(testing::blob_of(to_bytes("# comment\nversion=4\n"))));
}

TEST_F(VmdkTest, DescriptorFilesAndSplitOrFlatDisksAreRefused) {
  testing::ScratchDir dir("containers");
  ASSERT_TRUE(dir.ok());
  for (const std::string subformat :
       {"monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat"}) {
    SCOPED_TRACE(subformat);
    const std::string path = dir.path(subformat + ".vmdk");
    ASSERT_TRUE(
        testing::run_qemu_img({"create", "-f", "vmdk", "-o", "subformat=" + subformat, path, "8M"})
            .ok());
    auto descriptor = testing::read_file(path);
    ASSERT_TRUE(descriptor.ok());
    EXPECT_TRUE(vmdk_format().matches(testing::blob_of(*descriptor)));
    expect_refused(vmdk_format(), *descriptor, "text descriptor file");
  }
  // A split disk's extent file carries no descriptor of its own.
  auto extent = testing::read_file(dir.path("twoGbMaxExtentSparse-s001.vmdk"));
  ASSERT_TRUE(extent.ok()) << extent.status().to_string();
  expect_refused(vmdk_format(), *extent, "no createType");
}

TEST_F(VmdkTest, EmbeddedDescriptorsNamingOtherFilesAreRefused) {
  Bytes image = sparse_image();
  const std::string flat =
      "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\n"
      "createType=\"monolithicFlat\"\nRW 2048 FLAT \"/etc/hostname\" 0\n";
  Bytes zero_capacity = image;
  set_descriptor(zero_capacity, flat);
  store_le(zero_capacity, 12, 0, 8);  // capacity 0: qemu would follow the descriptor
  expect_refused(vmdk_format(), zero_capacity, "capacity 0");

  set_descriptor(image, flat);
  expect_refused(vmdk_format(), image, "extent type FLAT");

  image = sparse_image();
  std::string text = descriptor_text(image);
  text.replace(text.find("SPARSE \""), 8, "SPARSE \"/etc/");
  set_descriptor(image, text);
  expect_refused(vmdk_format(), image, "is a path");
}

TEST_F(VmdkTest, DeltaDisksMadeByQemuImgAreRefused) {
  testing::ScratchDir dir("containers");
  ASSERT_TRUE(dir.ok());
  const Bytes base = sparse_image();
  ASSERT_TRUE(testing::write_file(dir.path("base.vmdk"), base).ok());
  ASSERT_TRUE(testing::run_qemu_img({"create", "-f", "vmdk", "-b", dir.path("base.vmdk"), "-F",
                                     "vmdk", dir.path("delta.vmdk")})
                  .ok());
  auto delta = testing::read_file(dir.path("delta.vmdk"));
  ASSERT_TRUE(delta.ok());
  expect_refused(vmdk_format(), *delta, "delta disk");
}

TEST_F(VmdkTest, DescriptorAndHeaderMustAgree) {
  Bytes image = sparse_image();
  std::string text = descriptor_text(image);
  text.replace(text.find("monolithicSparse"), 16, "streamOptimized");
  set_descriptor(image, text);
  expect_refused(vmdk_format(), image, "disagree");

  image = sparse_image();
  store_le(image, 12, load_le64(image, 12) - 1, 8);
  expect_refused(vmdk_format(), image, "differs from the header's capacity");
}

TEST_F(VmdkTest, OversizedTablesGrainsAndDisksAreRefused) {
  Bytes image = sparse_image();
  store_le(image, 44, 1024, 4);
  expect_refused(vmdk_format(), image, "grain tables of 1024 entries");
  image = sparse_image();
  store_le(image, 20, 0x400000, 8);
  expect_refused(vmdk_format(), image, "above 1 GiB");
  image = sparse_image();
  store_le(image, 20, 0, 8);
  expect_refused(vmdk_format(), image, "empty");
  expect_refused(vmdk_format(), sparse_image(), "above the limit",
                 DecodeLimits{.max_virtual_size = 4 * kMiB});
  image = sparse_image();
  store_le(image, 4, 4, 4);
  expect_refused(vmdk_format(), image, "unsupported version 4");
  image = sparse_image();
  store_le(image, 77, 2, 2);
  expect_refused(vmdk_format(), image, "compression algorithm 2");
}

TEST_F(VmdkTest, OffsetsOutsideTheFileAreRefused) {
  const Bytes original = sparse_image();
  Bytes image = original;
  store_le(image, 56, 0x7fffffff, 8);
  expect_refused(vmdk_format(), image, "grain directory lies outside the file");
  image = original;
  store_le(image, directory_at(image), 0x7fffffff, 4);
  expect_refused(vmdk_format(), image, "grain table 0");
  image = original;
  const std::size_t table = first_table_at(image);
  std::size_t first = 0;
  while (load_le32(image, table + 4 * first) == 0) ++first;
  store_le(image, table + 4 * first, 0x7ffffff0, 4);
  expect_refused(vmdk_format(), image, "outside the file");
}

TEST_F(VmdkTest, SharedGrainsAndTablesAreRefused) {
  const Bytes original = sparse_image();
  const std::size_t table = first_table_at(original);
  std::size_t first = 0;
  while (load_le32(original, table + 4 * first) == 0) ++first;
  Bytes image = original;
  store_le(image, table + 4 * (first + 1), load_le32(image, table + 4 * first), 4);
  expect_refused(vmdk_format(), image, "share stored bytes");

  image = stream_image();
  const std::size_t stream_table = first_table_at(image);
  first = 0;
  while (load_le32(image, stream_table + 4 * first) == 0) ++first;
  store_le(image, stream_table + 4 * (first + 1), load_le32(image, stream_table + 4 * first), 4);
  expect_refused(vmdk_format(), image, "share stored bytes");

  image = image_of("monolithicSparse", 40 * kMiB);  // two grain tables
  ASSERT_NE(load_le32(image, directory_at(image) + 4), 0u);
  store_le(image, directory_at(image) + 4, load_le32(image, directory_at(image)), 4);
  expect_refused(vmdk_format(), image, "grain tables");
}

TEST_F(VmdkTest, CorruptCompressedGrainsAreRefused) {
  const Bytes original = stream_image();
  const std::size_t table = first_table_at(original);
  std::size_t first = 0;
  while (load_le32(original, table + 4 * first) == 0) ++first;
  const std::size_t grain = load_le32(original, table + 4 * first) * std::size_t{512};
  Bytes image = original;
  store_le(image, grain + 8, 0, 4);
  expect_refused(vmdk_format(), image, "is empty, too large");
  image = original;
  store_le(image, grain + 8, 0x7fffffff, 4);
  expect_refused(vmdk_format(), image, "is empty, too large");
  image = original;
  for (std::size_t i = 20; i < 60; ++i) image[grain + i] ^= 0x55;
  expect_refused(vmdk_format(), image, "zlib stream");
}

TEST_F(VmdkTest, TruncationsAtEveryStructureAreRefused) {
  for (const Bytes& image : {sparse_image(), stream_image()}) {
    const std::size_t table = first_table_at(image);
    std::size_t first = 0;
    while (load_le32(image, table + 4 * first) == 0) ++first;
    const std::size_t grain = load_le32(image, table + 4 * first) * std::size_t{512};
    testing::expect_truncations_refused(
        vmdk_format(), image,
        {4, 512, descriptor_at(image) + 100, directory_at(image) + 2, table + 8, grain + 6,
         grain + 600});
  }
}

TEST_F(VmdkTest, RandomOverwritesOfHeaderDescriptorAndTablesAreDecodedOrRefused) {
  for (const Bytes& image : {sparse_image(), stream_image()}) {
    const std::size_t table = first_table_at(image);
    testing::expect_random_overwrites_handled(vmdk_format(), image,
                                              {{0, 80},
                                               {descriptor_at(image), descriptor_at(image) + 300},
                                               {directory_at(image), directory_at(image) + 16},
                                               {table, table + 2048}});
  }
}

TEST_F(VmdkTest, BitFlipsInHeaderAndTablesAreDecodedOrRefused) {
  for (const Bytes& image : {sparse_image(), stream_image()}) {
    testing::expect_bit_flips_handled(vmdk_format(), image, 0, 80);
    testing::expect_bit_flips_handled(vmdk_format(), image, directory_at(image),
                                      directory_at(image) + 16);
    const std::size_t table = first_table_at(image);
    testing::expect_bit_flips_handled(vmdk_format(), image, table, table + 64);
  }
}

}  // namespace
}  // namespace imagelib
