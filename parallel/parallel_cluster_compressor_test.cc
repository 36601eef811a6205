// Parallel compression is the serial compression: a qcow2 written with
// ParallelClusterCompressor is byte for byte the file written with the
// SerialClusterCompressor, for random, text, zero and mixed disks whose size
// is not a multiple of the cluster, at the edge cluster sizes and over
// several batches, whatever the thread count; and it reads back as the disk.
#include "parallel/parallel_cluster_compressor.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "reference/base/rng.h"
#include "reference/formats/decode.h"
#include "reference/formats/qcow2_writer.h"

namespace imagelib::parallel {
namespace {

enum class Content { kRandom, kText, kZero, kMixed };

// Disks end in a partial cluster; the mixed one takes more than one batch
// (kQcow2CompressBatchBytes) at every cluster size.
constexpr std::size_t kDiskSize = (1 << 20) + 777;
constexpr std::size_t kMixedDiskSize = (4 << 20) + (64 << 10) + 777;

void fill(Content content, Rng& rng, MutableByteView out) {
  for (auto& byte : out) {
    switch (content) {
      case Content::kRandom: byte = static_cast<std::uint8_t>(rng.next_u64()); break;
      case Content::kText: byte = static_cast<std::uint8_t>("the quick brown fox "[rng.uniform(20)]); break;
      case Content::kZero: byte = 0; break;
      case Content::kMixed: break;
    }
  }
}

Bytes make_disk(Content content, std::uint64_t seed) {
  Rng rng(seed);
  Bytes disk(content == Content::kMixed ? kMixedDiskSize : kDiskSize, 0);
  if (content != Content::kMixed) {
    fill(content, rng, disk);
    return disk;
  }
  // Pieces of each kind, of lengths that straddle cluster boundaries.
  std::size_t at = 0;
  while (at < disk.size()) {
    const std::size_t length = std::min<std::size_t>(disk.size() - at, 1 + rng.uniform(300000));
    const auto kind = static_cast<Content>(rng.uniform(3));
    fill(kind, rng, MutableByteView(disk.data() + at, length));
    at += length;
  }
  return disk;
}

// Writes `disk` through a Qcow2Writer in uneven pieces.
Bytes write_qcow2(const Bytes& disk, std::uint32_t cluster_bits, ClusterCompressor* compressor) {
  MemoryBlob out;
  Qcow2Writer writer(out, {.cluster_bits = cluster_bits, .compress = true, .compressor = compressor});
  std::size_t at = 0;
  for (std::size_t piece = 1000; at < disk.size(); piece = piece * 3 % 200003 + 1) {
    const std::size_t length = std::min(piece, disk.size() - at);
    EXPECT_TRUE(writer.write_data(at, ByteView(disk.data() + at, length)).ok());
    at += length;
  }
  EXPECT_TRUE(writer.finish(disk.size()).ok());
  auto bytes = read_all(out);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : Bytes{};
}

std::string content_name(Content content) {
  switch (content) {
    case Content::kRandom: return "random";
    case Content::kText: return "text";
    case Content::kZero: return "zero";
    case Content::kMixed: return "mixed";
  }
  return "";
}

class ParallelCompression : public ::testing::TestWithParam<std::tuple<Content, std::uint32_t>> {};

TEST_P(ParallelCompression, WritesTheSameFileAsTheSerialCompressor) {
  const auto [content, cluster_bits] = GetParam();
  const Bytes disk = make_disk(content, cluster_bits);
  const Bytes serial = write_qcow2(disk, cluster_bits, nullptr);
  for (const std::size_t threads : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
    ThreadPool pool(threads);
    ParallelClusterCompressor compressor(pool);
    EXPECT_TRUE(write_qcow2(disk, cluster_bits, &compressor) == serial) << threads << " threads";
  }
  // And the file is the disk.
  MemoryBlob file, reread;
  ASSERT_TRUE(file.write_at(0, serial).ok());
  auto decoded = decode_image(file, reread, DecodeLimits{});
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->format, "qcow2");
  auto bytes = read_all(reread);
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(*bytes == disk);
}

INSTANTIATE_TEST_SUITE_P(
    ContentsAndClusterSizes, ParallelCompression,
    ::testing::Combine(::testing::Values(Content::kRandom, Content::kText, Content::kZero, Content::kMixed),
                       ::testing::Values(9u, 12u, 16u, 21u)),
    [](const auto& param_info) {
      return content_name(std::get<0>(param_info.param)) + "_bits" +
             std::to_string(std::get<1>(param_info.param));
    });

TEST(ParallelClusterCompressor, GivesEachClusterWhatTheSerialOneGives) {
  const Bytes disk = make_disk(Content::kMixed, 7);
  std::vector<Bytes> clusters;
  for (std::size_t at = 0; at + 65536 <= disk.size(); at += 65536) {
    clusters.emplace_back(disk.begin() + static_cast<std::ptrdiff_t>(at),
                          disk.begin() + static_cast<std::ptrdiff_t>(at + 65536));
  }
  SerialClusterCompressor serial;
  ThreadPool pool(2);
  ParallelClusterCompressor parallel(pool);
  for (std::size_t count : {std::size_t{0}, std::size_t{1}, clusters.size()}) {
    std::vector<Bytes> expected(count), got(count);
    serial.compress(std::span<const Bytes>(clusters.data(), count), expected);
    parallel.compress(std::span<const Bytes>(clusters.data(), count), got);
    EXPECT_TRUE(got == expected) << count << " clusters";
  }
}

}  // namespace
}  // namespace imagelib::parallel
