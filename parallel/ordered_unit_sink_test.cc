// Parallel decoding is the serial decoding: for qcow2 (zlib and zstd
// clusters, and plain), vmdk (streamOptimized and sparse), vdi, vpc and vhdx
// images made by qemu-img, and for raw disks with holes, decode_to_sink
// through ParallelUnits writes the same extents in the same order, with the
// same SHA-256 as qemu-img's raw output, as through SerialUnitSink, whatever
// the thread count and memory bound; corrupt and truncated copies give the
// same first error.
#include "parallel/ordered_unit_sink.h"

#include <gtest/gtest.h>

#include <algorithm>
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
    {"vdi", {"vdi", {}, 6 * kMiB, 3 * kMiB, 7}},
    {"vpc", {"vpc", {}, 6 * kMiB, 3 * kMiB, 8}},
    {"vhdx", {"vhdx", {}, 12 * kMiB, 9 * kMiB, 9}},
    {"vmdk-sparse", {"vmdk", {}, 6 * kMiB, 3 * kMiB, 10}},
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
  // Nearly every truncation (a vhdx may end in bytes it does not use): the
  // error paths are exercised.
  EXPECT_GE(refused, 20);
}

// A raw disk whose source reports holes and may fail its reads from some
// offset on, to check the stored ranges read on the pool.
class HoleySource final : public RandomAccessSource {
 public:
  HoleySource(Bytes bytes, std::vector<DataRange> ranges, std::uint64_t fail_from)
      : bytes_(std::move(bytes)), ranges_(std::move(ranges)), fail_from_(fail_from) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Status read_at(std::uint64_t offset, MutableByteView out) const override {
    if (offset + out.size() > fail_from_) return Status(ErrorCode::kInternal, "read failed at " + std::to_string(offset));
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    return {};
  }
  DataRange data_range_from(std::uint64_t offset) const override {
    for (const DataRange& range : ranges_) {
      if (range.end > offset) return {std::max(range.start, offset), range.end};
    }
    return {size(), size()};
  }

 private:
  Bytes bytes_;
  std::vector<DataRange> ranges_;
  std::uint64_t fail_from_;
};

TEST(ParallelRawDecode, HolesAndStoredReadsGiveTheSerialExtentsAndFirstError) {
  // 21 MiB: data (with a zero block inside) in [1 MiB, 10 MiB + 5) and
  // [12 MiB, 21 MiB), holes elsewhere.
  Bytes disk(21 * kMiB);
  for (std::uint64_t i = kMiB; i < 10 * kMiB + 5; ++i) disk[i] = static_cast<std::uint8_t>(i * 7 + 1);
  for (std::uint64_t i = 12 * kMiB; i < disk.size(); ++i) disk[i] = static_cast<std::uint8_t>(i % 251 + 1);
  std::fill_n(disk.begin() + 3 * kMiB, 8192, std::uint8_t{0});
  const std::vector<RandomAccessSource::DataRange> ranges = {{kMiB, 10 * kMiB + 5}, {12 * kMiB, 21 * kMiB}};
  const std::string expected_sha = [&] {
    const MemoryBlob plain = testing::blob_of(disk);
    const Outcome outcome = decode_with(plain, nullptr);
    EXPECT_TRUE(outcome.status.ok());
    return outcome.sha256;
  }();
  int failed = 0;
  for (std::uint64_t fail_from : {disk.size() + 1, 2 * kMiB, 9 * kMiB, 13 * kMiB, 20 * kMiB}) {
    const HoleySource in(disk, ranges, fail_from);
    const Outcome serial = decode_with(in, nullptr);
    if (serial.status.ok()) {
      EXPECT_EQ(serial.sha256, expected_sha);
    } else {
      ++failed;
    }
    for (std::size_t threads : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
      ThreadPool pool(threads);
      for (std::uint64_t bound : {std::uint64_t{1}, kDefaultMaxPendingBytes}) {
        const ParallelUnits units(pool, bound);
        const Outcome parallel = decode_with(in, &units);
        EXPECT_EQ(parallel.status.to_string(), serial.status.to_string()) << fail_from;
        EXPECT_EQ(parallel.sha256, serial.sha256) << fail_from;
        EXPECT_EQ(parallel.calls, serial.calls) << fail_from << ", " << threads << " threads";
      }
    }
  }
  EXPECT_EQ(failed, 4);
}

INSTANTIATE_TEST_SUITE_P(Formats, ParallelDecode, ::testing::ValuesIn(kVectors),
                         [](const ::testing::TestParamInfo<Vector>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace imagelib::parallel
