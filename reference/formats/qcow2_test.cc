// qcow2 reader: vectors made at test time by qemu-img (every version, cluster
// size and compression the reader supports) decode to the SHA-256 of
// `qemu-img convert -O raw`; unsafe files made by qemu-img and by mutation
// are refused with a reason.
#include "reference/formats/qcow2.h"

#include <gtest/gtest.h>

#include "reference/formats/container_testing.h"
#include "reference/formats/qcow2_header.h"
#include "reference/formats/qemu_img_testing.h"
#include "reference/formats/tool_testing.h"

namespace imagelib {
namespace {

using testing::QemuVector;

constexpr std::uint64_t kSeed = 20261127;

void store_be64(Bytes& bytes, std::size_t at, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    bytes[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
    value >>= 8;
  }
}

void store_be32(Bytes& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 3; i >= 0; --i) {
    bytes[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
    value >>= 8;
  }
}

// Where the tables of a qemu-made image are, read without our reader.
struct Layout {
  std::uint64_t cluster = 0;
  std::uint64_t l1_offset = 0;
  std::uint32_t l1_size = 0;
  std::uint64_t refcount_offset = 0;
  std::uint64_t refcount_bytes = 0;
  std::vector<std::uint64_t> l2_offsets;
  std::vector<std::uint64_t> data_offsets;  // standard clusters of the first L2 table
  std::vector<std::uint64_t> compressed;    // entries of compressed clusters
};

Layout layout_of(const Bytes& image) {
  Layout layout;
  layout.cluster = std::uint64_t{1} << load_be32(image, 20);
  layout.l1_size = load_be32(image, 36);
  layout.l1_offset = load_be64(image, 40);
  layout.refcount_offset = load_be64(image, 48);
  layout.refcount_bytes = load_be32(image, 56) * layout.cluster;
  for (std::uint32_t i = 0; i < layout.l1_size; ++i) {
    const std::uint64_t l2 = load_be64(image, layout.l1_offset + i * 8) & 0x00fffffffffffe00;
    if (l2 != 0) layout.l2_offsets.push_back(l2);
  }
  if (!layout.l2_offsets.empty()) {
    const std::uint64_t l2 = layout.l2_offsets[0];
    for (std::uint64_t j = 0; j < layout.cluster / 8; ++j) {
      const std::uint64_t entry = load_be64(image, l2 + j * 8);
      if (entry & (std::uint64_t{1} << 62)) {
        layout.compressed.push_back(entry);
      } else if ((entry & 0x00fffffffffffe00) != 0) {
        layout.data_offsets.push_back(entry & 0x00fffffffffffe00);
      }
    }
  }
  return layout;
}

Bytes make_image(const QemuVector& vector) {
  auto image = testing::make_qemu_image(vector);
  EXPECT_TRUE(image.ok()) << image.status().to_string();
  return image.ok() ? *image : Bytes{};
}

// --- decoding, compared with qemu-img ---

struct NamedVector {
  const char* name;
  QemuVector vector;
};

class Qcow2LikeQemu : public ::testing::TestWithParam<NamedVector> {};

TEST_P(Qcow2LikeQemu, DecodesToTheSameDiskAsQemuImg) {
  testing::expect_decodes_like_qemu(qcow2_format(), GetParam().vector);
}

const NamedVector kVectors[] = {
    {"v2", {"qcow2", {"-o", "compat=0.10"}, 8 * kMiB + 3 * 512, 3 * kMiB, kSeed}},
    {"v3_64k", {"qcow2", {"-o", "compat=1.1"}, 8 * kMiB, 3 * kMiB, kSeed + 1}},
    {"v3_cluster_512", {"qcow2", {"-o", "cluster_size=512"}, 2 * kMiB + 512, 700 * 1024, kSeed + 2}},
    {"v3_cluster_2M", {"qcow2", {"-o", "cluster_size=2M"}, 9 * kMiB + 512, 3 * kMiB, kSeed + 3}},
    {"zlib", {"qcow2", {"-c"}, 8 * kMiB, 3 * kMiB, kSeed + 4}},
    {"zlib_v2", {"qcow2", {"-c", "-o", "compat=0.10"}, 4 * kMiB + 1536, 2 * kMiB, kSeed + 5}},
    {"zlib_cluster_4k", {"qcow2", {"-c", "-o", "cluster_size=4096"}, 3 * kMiB, kMiB, kSeed + 6}},
    {"zstd", {"qcow2", {"-c", "-o", "compression_type=zstd"}, 8 * kMiB, 3 * kMiB, kSeed + 7}},
    {"zstd_cluster_2M",
     {"qcow2", {"-c", "-o", "compression_type=zstd,cluster_size=2M"}, 6 * kMiB + 512, 3 * kMiB, kSeed + 8}},
    {"extended_l2", {"qcow2", {"-o", "extended_l2=on"}, 8 * kMiB + 512, 3 * kMiB, kSeed + 9}},
    {"extended_l2_2M",
     {"qcow2", {"-o", "extended_l2=on,cluster_size=2M"}, 5 * kMiB, 2 * kMiB, kSeed + 10}},
    {"extended_l2_zstd",
     {"qcow2", {"-c", "-o", "extended_l2=on,compression_type=zstd"}, 4 * kMiB, 2 * kMiB, kSeed + 11}},
    {"preallocated_metadata",
     {"qcow2", {"-o", "preallocation=metadata"}, 4 * kMiB + 512, kMiB, kSeed + 12}},
    {"above_4GiB", {"qcow2", {}, 4 * kGiB + 64 * 1024 + 512, 2 * kMiB, kSeed + 13}},
};

INSTANTIATE_TEST_SUITE_P(Vectors, Qcow2LikeQemu, ::testing::ValuesIn(kVectors),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// The zero flag (v3, bit 0) reads zeros whatever the offset says: set it on
// a data cluster and compare with qemu-img reading the same file.
TEST(Qcow2, ZeroFlagReadsZerosLikeQemu) {
  testing::ScratchDir dir("qcow2-zero");
  Bytes image = make_image({"qcow2", {}, 4 * kMiB, 2 * kMiB, kSeed});
  const Layout layout = layout_of(image);
  ASSERT_GE(layout.data_offsets.size(), 2u);
  const std::uint64_t l2 = layout.l2_offsets[0];
  for (std::uint64_t j = 0; j < layout.cluster / 8; j += 3) {
    const std::uint64_t entry = load_be64(image, l2 + j * 8);
    if (entry != 0) store_be64(image, l2 + j * 8, entry | 1);
  }
  ASSERT_TRUE(testing::write_file(dir.path("zero.qcow2"), image).ok());
  ASSERT_TRUE(testing::run_tool({"qemu-img", "convert", "-f", "qcow2", "-O", "raw",
                                 dir.path("zero.qcow2"), dir.path("zero.raw")})
                  .ok());
  auto expected = testing::sha256_of_file(dir.path("zero.raw"));
  ASSERT_TRUE(expected.ok());
  const MemoryBlob in = testing::blob_of(image);
  auto decoded = testing::decode_and_hash(qcow2_format(), in);
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->sha256, *expected);
}

// Writes made by qemu-io leave what convert never does: subclusters allocated
// one by one (extended L2), zero-flag clusters and zeroed subclusters.
TEST(Qcow2, PartialWritesByQemuIoDecodeLikeQemuImg) {
  for (const std::string options : {"extended_l2=on", "extended_l2=on,cluster_size=256k", "compat=1.1"}) {
    SCOPED_TRACE(options);
    testing::ScratchDir dir("qcow2-qemu-io");
    const std::string image = dir.path("image.qcow2");
    ASSERT_TRUE(testing::run_tool({"qemu-img", "create", "-f", "qcow2", "-o", options, image, "3M"}).ok());
    const Status written = testing::run_tool(
        {"qemu-io", "-f", "qcow2", "-c", "write -P 0xab 4096 2048", "-c", "write -P 0xcd 70000 9000",
         "-c", "write -P 0x11 1048576 524288", "-c", "write -z 1050624 4096", "-c",
         "write -z 1179648 65536", "-c", "write -P 0x22 3141632 3072", image});
    ASSERT_TRUE(written.ok()) << written.to_string();
    ASSERT_TRUE(testing::run_tool({"qemu-img", "convert", "-f", "qcow2", "-O", "raw", image,
                                   dir.path("image.raw")})
                    .ok());
    auto expected = testing::sha256_of_file(dir.path("image.raw"));
    ASSERT_TRUE(expected.ok());
    auto file = testing::FileSource::open(image);
    ASSERT_TRUE(file.ok());
    auto decoded = testing::decode_and_hash(qcow2_format(), *file);
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    EXPECT_EQ(decoded->virtual_size, 3 * kMiB);
    EXPECT_EQ(decoded->sha256, *expected);
  }
}

// --- unsafe files made by qemu-img ---

Status decode_file(const std::string& path) {
  auto file = testing::FileSource::open(path);
  if (!file.ok()) return file.status();
  auto decoded = testing::decode_and_hash(qcow2_format(), *file);
  return decoded.ok() ? Status() : decoded.status();
}

TEST(Qcow2, BackingFileIsRefused) {
  testing::ScratchDir dir("qcow2-backing");
  ASSERT_TRUE(testing::run_tool({"qemu-img", "create", "-f", "qcow2", dir.path("base.qcow2"), "1M"}).ok());
  ASSERT_TRUE(testing::run_tool({"qemu-img", "create", "-f", "qcow2", "-b", dir.path("base.qcow2"),
                                 "-F", "qcow2", dir.path("top.qcow2")})
                  .ok());
  const Status status = decode_file(dir.path("top.qcow2"));
  EXPECT_EQ(status.code(), ErrorCode::kBadImage);
  EXPECT_EQ(status.message(), "qcow2: a backing file is not allowed (the image must be self-contained)");
}

TEST(Qcow2, ExternalDataFileIsRefused) {
  testing::ScratchDir dir("qcow2-data-file");
  ASSERT_TRUE(testing::run_tool({"qemu-img", "create", "-f", "qcow2", "-o",
                                 "data_file=" + dir.path("data.raw"), dir.path("top.qcow2"), "1M"})
                  .ok());
  const Status status = decode_file(dir.path("top.qcow2"));
  EXPECT_EQ(status.code(), ErrorCode::kBadImage);
  EXPECT_EQ(status.message(), "qcow2: an external data file is not allowed");
}

TEST(Qcow2, LuksEncryptionIsRefused) {
  testing::ScratchDir dir("qcow2-luks");
  const Status made = testing::run_qemu_img({"create", "--object", "secret,id=sec0,data=imagelib", "-f", "qcow2",
                                             "-o", "encrypt.format=luks,encrypt.key-secret=sec0,encrypt.iter-time=10",
                                             dir.path("enc.qcow2"), "1M"});
  ASSERT_TRUE(made.ok()) << made.to_string();
  const Status status = decode_file(dir.path("enc.qcow2"));
  EXPECT_EQ(status.code(), ErrorCode::kBadImage);
  EXPECT_EQ(status.message(), "qcow2: encrypted images are not supported");
}

// --- mutations ---

class Qcow2Mutations : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plain_ = new Bytes(make_image({"qcow2", {}, 2 * kMiB, kMiB, kSeed}));
    big_ = new Bytes(make_image({"qcow2", {}, 2 * kGiB, kMiB, kSeed}));
  }
  static void TearDownTestSuite() {
    delete plain_;
    delete big_;
  }
  static Bytes* plain_;
  static Bytes* big_;  // more than one L1 entry
};

Bytes* Qcow2Mutations::plain_ = nullptr;
Bytes* Qcow2Mutations::big_ = nullptr;

TEST_F(Qcow2Mutations, TheUnmutatedImagesDecode) {
  EXPECT_TRUE(testing::expect_decoded_or_refused(qcow2_format(), *plain_));
  EXPECT_TRUE(testing::expect_decoded_or_refused(qcow2_format(), *big_));
}

TEST_F(Qcow2Mutations, TruncationAtEveryStructureBoundaryIsRefused) {
  const Layout layout = layout_of(*plain_);
  std::vector<std::uint64_t> boundaries = {0, 4, 8, 72, 104, 112, layout.cluster,
                                           layout.l1_offset, layout.l1_offset + layout.l1_size * 8,
                                           layout.refcount_offset,
                                           layout.refcount_offset + layout.refcount_bytes};
  for (std::uint64_t l2 : layout.l2_offsets) {
    boundaries.push_back(l2);
    boundaries.push_back(l2 + layout.cluster);
  }
  for (std::uint64_t data : layout.data_offsets) boundaries.push_back(data);
  // The last structure ends the file; a cut past it would not truncate anything.
  std::erase_if(boundaries, [&](std::uint64_t b) { return b + 1 >= plain_->size(); });
  testing::expect_truncations_refused(qcow2_format(), *plain_, boundaries);
}

TEST_F(Qcow2Mutations, BitFlipsInTheHeaderAndTablesAreDecodedOrRefused) {
  const Layout layout = layout_of(*plain_);
  testing::expect_bit_flips_handled(qcow2_format(), *plain_, 0, 120);
  testing::expect_bit_flips_handled(qcow2_format(), *plain_, layout.l1_offset,
                                    layout.l1_offset + layout.l1_size * 8);
  testing::expect_bit_flips_handled(qcow2_format(), *plain_, layout.l2_offsets[0],
                                    layout.l2_offsets[0] + 512);
}

TEST_F(Qcow2Mutations, HugeSizesAreRefused) {
  Bytes image = *plain_;
  store_be64(image, 24, std::uint64_t{1} << 62);
  testing::expect_refused(qcow2_format(), image, "is above the limit");

  image = *plain_;
  store_be64(image, 24, 2 * kTiB + 512);
  testing::expect_refused(qcow2_format(), image, "is above the limit");

  image = *plain_;
  store_be32(image, 36, 0x7fffffff);
  testing::expect_refused(qcow2_format(), image, "the L1 table is above 32 MiB");

  image = *plain_;
  store_be32(image, 36, 0);
  testing::expect_refused(qcow2_format(), image, "does not cover the virtual size");

  image = *plain_;
  store_be32(image, 20, 31);
  testing::expect_refused(qcow2_format(), image, "cluster_bits 31 is outside 9-21");

  image = *plain_;
  store_be32(image, 56, 0x10000);
  testing::expect_refused(qcow2_format(), image, "the refcount table is above 8 MiB");

  image = *plain_;
  store_be64(image, 40, 0x10000000000);
  testing::expect_refused(qcow2_format(), image, "L1 table at offset 1099511627776");
}

TEST_F(Qcow2Mutations, FeatureBitsAndFlagsAreChecked) {
  Bytes image = *plain_;
  store_be64(image, 72, std::uint64_t{1} << 1);
  testing::expect_refused(qcow2_format(), image, "the image is marked corrupt");

  image = *plain_;
  store_be64(image, 72, std::uint64_t{1} << 9);
  testing::expect_refused(qcow2_format(), image, "unknown incompatible feature bit(s) 9");

  image = *plain_;
  store_be64(image, 72, std::uint64_t{1} << 2);
  testing::expect_refused(qcow2_format(), image, "an external data file is not allowed");

  image = *plain_;
  store_be32(image, 32, 1);
  testing::expect_refused(qcow2_format(), image, "encrypted images are not supported");

  image = *plain_;
  store_be32(image, 4, 4);
  testing::expect_refused(qcow2_format(), image, "unsupported version 4");

  // The dirty bit only says refcounts may be stale: reads are unaffected.
  image = *plain_;
  store_be64(image, 72, 1);
  EXPECT_TRUE(testing::expect_decoded_or_refused(qcow2_format(), image));
}

TEST_F(Qcow2Mutations, TablesThatLoopOrAliasAreRefused) {
  const Layout big = layout_of(*big_);
  ASSERT_GE(big.l1_size, 2u);
  Bytes image = *big_;
  // Two L1 entries share one L2 table.
  store_be64(image, big.l1_offset + 8, load_be64(image, big.l1_offset));
  testing::expect_refused(qcow2_format(), image, "reuses a host cluster already in use (aliasing)");

  const Layout layout = layout_of(*plain_);
  ASSERT_GE(layout.data_offsets.size(), 2u);
  const std::uint64_t l2 = layout.l2_offsets[0];
  // An L2 entry pointing at its own table, or at the L1 table.
  for (const std::uint64_t target : {l2, layout.l1_offset}) {
    image = *plain_;
    store_be64(image, l2, target | (std::uint64_t{1} << 63));
    testing::expect_refused(qcow2_format(), image, "aliasing");
  }
  // The L1 entry pointing at the refcount table.
  image = *plain_;
  store_be64(image, layout.l1_offset, layout.refcount_offset);
  testing::expect_refused(qcow2_format(), image, "aliasing");

  // Two guest clusters on one data cluster.
  image = *plain_;
  std::size_t first = 0;
  while (load_be64(image, l2 + first * 8) == 0) ++first;
  store_be64(image, l2 + (first + 1) * 8, load_be64(image, l2 + first * 8));
  testing::expect_refused(qcow2_format(), image, "aliasing");
}

TEST_F(Qcow2Mutations, BadOffsetsAreRefused) {
  const Layout layout = layout_of(*plain_);
  const std::uint64_t l2 = layout.l2_offsets[0];
  std::size_t first = 0;
  while (load_be64(*plain_, l2 + first * 8) == 0) ++first;

  Bytes image = *plain_;
  store_be64(image, l2 + first * 8, load_be64(image, l2 + first * 8) + 512);
  testing::expect_refused(qcow2_format(), image, "is not cluster-aligned");

  image = *plain_;
  store_be64(image, l2 + first * 8, (std::uint64_t{1} << 63) | (image.size() / layout.cluster + 4) * layout.cluster);
  testing::expect_refused(qcow2_format(), image, "lies outside the file");

  image = *plain_;
  store_be64(image, layout.l1_offset, (std::uint64_t{1} << 63) | (l2 + 512));
  testing::expect_refused(qcow2_format(), image, "L2 table offset");

  image = *plain_;
  store_be64(image, l2 + first * 8, load_be64(image, l2 + first * 8) | 0x0100000000000000);
  testing::expect_refused(qcow2_format(), image, "reserved bits");
}

// A 1 TiB disk whose every table entry points at one L2 table and one data
// cluster: a few hundred KiB that would decode to 1 TiB of data.
TEST(Qcow2, AmplificationBombIsRefusedAtOnce) {
  constexpr std::uint64_t kCluster = 65536;
  constexpr std::uint64_t kSize = kTiB;
  const std::uint64_t l1_size = kSize / (kCluster * (kCluster / 8));
  Bytes image(4 * kCluster + l1_size * 8, 0);
  store_be32(image, 0, kQcow2Magic);
  store_be32(image, 4, 3);
  store_be32(image, 20, 16);
  store_be64(image, 24, kSize);
  store_be32(image, 36, static_cast<std::uint32_t>(l1_size));
  store_be64(image, 40, 4 * kCluster);  // L1 after the L2 and data clusters
  store_be64(image, 48, kCluster);      // refcount table
  store_be32(image, 56, 1);
  store_be32(image, 96, 4);
  store_be32(image, 100, 104);
  for (std::uint64_t i = 0; i < l1_size; ++i) store_be64(image, 4 * kCluster + i * 8, 2 * kCluster);
  for (std::uint64_t j = 0; j < kCluster / 8; ++j) store_be64(image, 2 * kCluster + j * 8, 3 * kCluster);
  image[3 * kCluster] = 0xaa;
  testing::expect_refused(qcow2_format(), image, "aliasing");
}

}  // namespace
}  // namespace imagelib
