// Parallel decoding is the serial decoding: for qcow2 (zlib and zstd
// clusters) and vmdk streamOptimized images made by qemu-img, decode_to_sink
// through ParallelUnits writes the same extents in the same order, with the
// same SHA-256 as qemu-img's raw output, as through SerialUnitSink, whatever
// the thread count and memory bound; corrupt and truncated copies give the
// same first error.
#include "parallel/ordered_unit_sink.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/formats/container_testing.h"
#include "reference/formats/decode.h"
#include "reference/formats/qemu_img_testing.h"

namespace imagelib::parallel {
namespace {

// Records every extent it is handed ("D offset length" / "Z offset length")
// and the bytes of the data extents' first byte, to compare two decodes.
class RecordingSink final : public ExtentSink {
 public:
  Status write_data(std::uint64_t offset, ByteView data) override {
    calls.push_back("D " + std::to_string(offset) + " " + std::to_string(data.size()) + " " +
                    std::to_string(data.empty() ? 0 : data[0]));
    return {};
  }
  Status write_zero(std::uint64_t offset, std::uint64_t length) override {
    calls.push_back("Z " + std::to_string(offset) + " " + std::to_string(length));
    return {};
  }
  std::vector<std::string> calls;
};

struct Outcome {
  std::vector<std::string> calls;
  Status status;
  std::string sha256;
};

Outcome decode_with(const RandomAccessSource& in, const UnitRunner* units) {
  RecordingSink sink;
  auto decoded = decode_to_sink(in, sink, DecodeLimits{}, DecodeOptions{.units = units});
  Outcome outcome{sink.calls, decoded.status(), decoded.ok() ? decoded->sha256 : ""};
  return outcome;
}

struct Vector {
  const char* name;
  testing::QemuVector qemu;
};

const Vector kVectors[] = {
    {"qcow2-zlib", {"qcow2", {"-c"}, 8 * kMiB + 4096, 5 * kMiB, 3}},
    {"qcow2-zstd", {"qcow2", {"-c", "-o", "compression_type=zstd,cluster_size=4096"}, 4 * kMiB, 3 * kMiB, 4}},
    {"vmdk-stream", {"vmdk", {"-o", "subformat=streamOptimized"}, 8 * kMiB, 5 * kMiB, 5}},
    {"qcow2-plain", {"qcow2", {}, 4 * kMiB, 2 * kMiB, 6}},
};

std::string qemu_raw_sha256(const Vector& vector, ByteView image) {
  testing::ScratchDir dir("parallel");
  EXPECT_TRUE(testing::write_file(dir.path("image"), image).ok());
  EXPECT_TRUE(testing::run_qemu_img({"convert", "-f", vector.qemu.qemu_format, "-O", "raw",
                                     dir.path("image"), dir.path("out.raw")})
                  .ok());
  auto sha = testing::sha256_of_file(dir.path("out.raw"));
  return sha.ok() ? *sha : "";
}

class ParallelDecode : public ::testing::TestWithParam<Vector> {};

TEST_P(ParallelDecode, WritesWhatTheSerialDecodeWritesAndQemuImgAgrees) {
  auto image = testing::make_qemu_image(GetParam().qemu);
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  const MemoryBlob in = testing::blob_of(*image);
  const Outcome serial = decode_with(in, nullptr);
  ASSERT_TRUE(serial.status.ok()) << serial.status.to_string();
  EXPECT_EQ(serial.sha256, qemu_raw_sha256(GetParam(), *image));
  for (std::size_t threads : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
    ThreadPool pool(threads);
    // A bound below one cluster makes every unit wait for its turn; a large
    // one lets many run ahead.
    for (std::uint64_t bound : {std::uint64_t{1}, std::uint64_t{256} * 1024, kDefaultMaxPendingBytes}) {
      const ParallelUnits units(pool, bound);
      const Outcome parallel = decode_with(in, &units);
      ASSERT_TRUE(parallel.status.ok()) << parallel.status.to_string();
      EXPECT_EQ(parallel.sha256, serial.sha256) << threads << " threads, bound " << bound;
      EXPECT_EQ(parallel.calls, serial.calls) << threads << " threads, bound " << bound;
    }
  }
}

TEST_P(ParallelDecode, CorruptAndTruncatedCopiesGiveTheSerialError) {
  auto image = testing::make_qemu_image(GetParam().qemu);
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  ThreadPool pool(2);
  const ParallelUnits units(pool, 64 * 1024);
  int refused = 0;
  for (std::uint64_t k = 1; k < 24; ++k) {
    const std::uint64_t at = image->size() * k / 24;
    Bytes corrupt = *image;
    for (std::uint64_t i = at; i < std::min<std::uint64_t>(at + 64, corrupt.size()); ++i) {
      corrupt[i] = static_cast<std::uint8_t>(corrupt[i] ^ 0x5a);
    }
    Bytes truncated(image->begin(), image->begin() + static_cast<std::ptrdiff_t>(at));
    for (const Bytes* copy : {&corrupt, &truncated}) {
      const MemoryBlob in = testing::blob_of(*copy);
      const Outcome serial = decode_with(in, nullptr);
      const Outcome parallel = decode_with(in, &units);
      EXPECT_EQ(parallel.status.to_string(), serial.status.to_string()) << "at " << at;
      EXPECT_EQ(parallel.sha256, serial.sha256) << "at " << at;
      if (serial.status.ok()) {
        EXPECT_EQ(parallel.calls, serial.calls) << "at " << at;
      }
      refused += serial.status.ok() ? 0 : 1;
    }
  }
  EXPECT_GE(refused, 23);  // every truncation at least: the error paths are exercised
}

INSTANTIATE_TEST_SUITE_P(Formats, ParallelDecode, ::testing::ValuesIn(kVectors),
                         [](const ::testing::TestParamInfo<Vector>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace imagelib::parallel
