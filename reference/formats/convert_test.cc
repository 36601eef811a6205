// The writers: what write_qcow2_file writes passes `qemu-img check` and
// `qemu-img compare` finds it identical to its source; what write_raw_file
// writes is the raw disk, sparse.
#include "reference/formats/convert.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "reference/base/rng.h"
#include "reference/formats/container_testing.h"
#include "reference/formats/qemu_img_testing.h"
#include "reference/formats/tool_testing.h"

namespace imagelib {
namespace {

using testing::run_tool;
using testing::ScratchDir;

Status write_blob(const Blob& blob, const std::string& path) {
  auto bytes = read_all(blob);
  if (!bytes.ok()) return bytes.status();
  return testing::write_file(path, *bytes);
}

struct Source {
  const char* name;
  std::vector<std::string> qemu_options;  // empty: the raw disk itself
  std::uint64_t size;
};

const Source kSources[] = {
    {"raw", {}, 6 * kMiB + 1536},
    {"qcow2_zlib", {"-O", "qcow2", "-c"}, 6 * kMiB},
    {"qcow2_extended_l2", {"-O", "qcow2", "-o", "extended_l2=on"}, 5 * kMiB + 512},
    {"vdi", {"-O", "vdi"}, 4 * kMiB},
};

struct Target {
  const char* name;
  Qcow2WriteOptions options;
};

const Target kTargets[] = {
    {"plain_64k", {}},
    {"compressed_64k", {.cluster_bits = 16, .compress = true}},
    {"plain_512", {.cluster_bits = 9}},
    {"compressed_4k", {.cluster_bits = 12, .compress = true}},
    {"plain_2M", {.cluster_bits = 21}},
    {"compressed_512", {.cluster_bits = 9, .compress = true}},
    {"compressed_2M", {.cluster_bits = 21, .compress = true}},
};

class Qcow2Writer : public ::testing::TestWithParam<std::tuple<Source, Target>> {};

TEST_P(Qcow2Writer, QemuImgChecksAndComparesItsOutput) {
  const auto& [source, target] = GetParam();
  ScratchDir dir("writer");
  ASSERT_TRUE(testing::write_test_disk(dir.path("disk.raw"), source.size, source.size / 3, 5).ok());
  std::string input = dir.path("disk.raw");
  if (!source.qemu_options.empty()) {
    std::vector<std::string> args = {"qemu-img", "convert", "-f", "raw"};
    args.insert(args.end(), source.qemu_options.begin(), source.qemu_options.end());
    args.push_back(input);
    args.push_back(dir.path("source.img"));
    ASSERT_TRUE(run_tool(args).ok());
    input = dir.path("source.img");
  }
  auto in = testing::FileSource::open(input);
  ASSERT_TRUE(in.ok());
  MemoryBlob out;
  auto written = write_qcow2_file(*in, out, target.options, DecodeLimits{});
  ASSERT_TRUE(written.ok()) << written.status().to_string();
  ASSERT_TRUE(write_blob(out, dir.path("out.qcow2")).ok());

  const Status checked = run_tool({"qemu-img", "check", "-f", "qcow2", dir.path("out.qcow2")});
  EXPECT_TRUE(checked.ok()) << checked.to_string();
  const Status compared = run_tool({"qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                                    dir.path("disk.raw"), dir.path("out.qcow2")});
  EXPECT_TRUE(compared.ok()) << compared.to_string();

  // Our own reader agrees, and probes it as qcow2.
  MemoryBlob disk;
  auto reread = decode_image(out, disk, DecodeLimits{});
  ASSERT_TRUE(reread.ok()) << reread.status().to_string();
  EXPECT_EQ(reread->format, "qcow2");
  EXPECT_EQ(reread->sha256, written->sha256);
  EXPECT_EQ(reread->virtual_size, source.size);
}

INSTANTIATE_TEST_SUITE_P(
    SourcesAndTargets, Qcow2Writer, ::testing::Combine(::testing::ValuesIn(kSources), ::testing::ValuesIn(kTargets)),
    [](const auto& param_info) {
      return std::string(std::get<0>(param_info.param).name) + "_to_" + std::get<1>(param_info.param).name;
    });

TEST(Qcow2Writer, CompressionShrinksCompressibleDisks) {
  MemoryBlob in;
  Bytes text(4 * kMiB);
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<std::uint8_t>("abcdefgh"[i * 7 % 8]);
  ASSERT_TRUE(in.write_at(0, text).ok());
  MemoryBlob plain, compressed;
  ASSERT_TRUE(write_qcow2_file(in, plain, {}, DecodeLimits{}).ok());
  ASSERT_TRUE(write_qcow2_file(in, compressed, {.cluster_bits = 16, .compress = true}, DecodeLimits{}).ok());
  EXPECT_GT(plain.size(), 4 * kMiB);
  EXPECT_LT(compressed.size(), plain.size() / 4);
}

// Bytes drawn from 16 letters: deflate saves about 40%, so a compressed
// 64 KiB cluster takes more than half a host cluster.
Bytes half_compressible(std::size_t size, std::uint64_t seed) {
  Rng rng(seed);
  Bytes bytes(size);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>('a' + rng.uniform(16));
  return bytes;
}

// The space deflate saves is given back, as qemu-img -c gives it: compressed
// clusters are packed across host cluster boundaries, not left as holes.
TEST(Qcow2Writer, CompressedFileIsSmallerThanThePlainOneAndAsSmallAsQemuImgs) {
  ScratchDir dir("writer-size");
  MemoryBlob in;
  ASSERT_TRUE(in.write_at(0, half_compressible(6 * kMiB + 1536, 3)).ok());
  MemoryBlob plain, compressed;
  ASSERT_TRUE(write_qcow2_file(in, plain, {}, DecodeLimits{}).ok());
  ASSERT_TRUE(write_qcow2_file(in, compressed, {.cluster_bits = 16, .compress = true}, DecodeLimits{}).ok());
  EXPECT_LT(compressed.size(), plain.size() * 3 / 4);

  ASSERT_TRUE(write_blob(in, dir.path("disk.raw")).ok());
  ASSERT_TRUE(write_blob(compressed, dir.path("ours.qcow2")).ok());
  ASSERT_TRUE(run_tool({"qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", dir.path("disk.raw"),
                        dir.path("qemu.qcow2")})
                  .ok());
  auto qemu = testing::read_file(dir.path("qemu.qcow2"));
  ASSERT_TRUE(qemu.ok());
  // qemu's file has its metadata up front and preallocates a little more.
  EXPECT_LE(compressed.size(), qemu->size() + 64 * 1024);
  const Status checked = run_tool({"qemu-img", "check", "-f", "qcow2", dir.path("ours.qcow2")});
  EXPECT_TRUE(checked.ok()) << checked.to_string();
  const Status compared = run_tool({"qemu-img", "compare", "-f", "raw", "-F", "qcow2",
                                    dir.path("disk.raw"), dir.path("ours.qcow2")});
  EXPECT_TRUE(compared.ok()) << compared.to_string();
}

TEST(RawWriter, WritesTheDiskSparselyAndQemuImgAgrees) {
  ScratchDir dir("raw-writer");
  const std::uint64_t size = 8 * kMiB + 512;
  ASSERT_TRUE(testing::write_test_disk(dir.path("disk.raw"), size, kMiB, 9).ok());
  ASSERT_TRUE(run_tool({"qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", dir.path("disk.raw"),
                        dir.path("disk.qcow2")})
                  .ok());
  auto in = testing::FileSource::open(dir.path("disk.qcow2"));
  ASSERT_TRUE(in.ok());
  MemoryBlob out;
  auto written = write_raw_file(*in, out, DecodeLimits{});
  ASSERT_TRUE(written.ok()) << written.status().to_string();
  EXPECT_EQ(out.size(), size);
  std::uint64_t stored = 0;
  for (const Extent& extent : out.data_extents()) stored += extent.length;
  EXPECT_LT(stored, size / 2);  // the zero runs were never written
  ASSERT_TRUE(write_blob(out, dir.path("out.raw")).ok());
  const Status compared =
      run_tool({"qemu-img", "compare", "-f", "raw", "-F", "raw", dir.path("disk.raw"), dir.path("out.raw")});
  EXPECT_TRUE(compared.ok()) << compared.to_string();
}

TEST(RawWriter, RefusedInputWritesNothingUsable) {
  MemoryBlob in, out;
  ASSERT_TRUE(in.write_at(0, to_bytes(std::string_view("QED\0", 4))).ok());
  ASSERT_TRUE(in.resize(4096).ok());
  auto written = write_raw_file(in, out, DecodeLimits{});
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().message(), "QED images are not supported");
}

// A raw disk whose source splits it into data ranges at odd offsets, so the
// writer gets extents that start and end inside clusters.
class SplitSource final : public RandomAccessSource {
 public:
  SplitSource(const MemoryBlob& disk, std::uint64_t step) : disk_(disk), step_(step) {}
  std::uint64_t size() const override { return disk_.size(); }
  Status read_at(std::uint64_t offset, MutableByteView out) const override {
    return disk_.read_at(offset, out);
  }
  DataRange data_range_from(std::uint64_t offset) const override {
    return {offset, std::min(size(), offset + step_)};
  }

 private:
  const MemoryBlob& disk_;
  std::uint64_t step_;
};

TEST(Qcow2PlainWriter, WritesTheSameFileHoweverTheExtentsAreSplit) {
  // Clusters of random bytes, zeros, and zeros with one byte set.
  Rng rng(11);
  Bytes disk(3 * kMiB + 777);
  for (std::size_t at = 0; at < disk.size(); at += 4096) {
    const std::uint64_t kind = rng.uniform(3);
    const std::size_t end = std::min(disk.size(), at + 4096);
    if (kind == 0) {
      for (std::size_t i = at; i < end; ++i) disk[i] = static_cast<std::uint8_t>(rng.uniform(256));
    } else if (kind == 1) {
      disk[at + rng.uniform(end - at)] = 1;
    }
  }
  const MemoryBlob in = testing::blob_of(disk);
  for (std::uint32_t cluster_bits : {9u, 12u, 16u}) {
    MemoryBlob whole;
    ASSERT_TRUE(write_qcow2_file(in, whole, {.cluster_bits = cluster_bits}, DecodeLimits{}).ok());
    for (std::uint64_t step : {std::uint64_t{1000}, std::uint64_t{70001}, std::uint64_t{kMiB + 3}}) {
      const SplitSource split(in, step);
      MemoryBlob pieces;
      ASSERT_TRUE(write_qcow2_file(split, pieces, {.cluster_bits = cluster_bits}, DecodeLimits{}).ok());
      EXPECT_EQ(read_all(pieces).value(), read_all(whole).value())
          << "cluster_bits " << cluster_bits << ", step " << step;
    }
  }
}

}  // namespace
}  // namespace imagelib
