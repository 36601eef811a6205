#include "reference/formats/container_testing.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>

#include "reference/base/sha256.h"
#include "reference/formats/qemu_img_testing.h"

namespace imagelib::testing {
namespace {

// Checks that each extent starts where the previous one ended and is not
// empty, and forwards it to a Sha256Sink when hashing (mutation tests skip
// the hash: a mutated size can make a disk of many GiB of zeros).
class ContractCheckingSink final : public ExtentSink {
 public:
  explicit ContractCheckingSink(bool hashing) : hashing_(hashing) {}
  Status write_data(std::uint64_t offset, ByteView data) override {
    IMAGELIB_RETURN_IF_ERROR(advance(offset, data.size()));
    return hashing_ ? hash_.write_data(offset, data) : Status{};
  }
  Status write_zero(std::uint64_t offset, std::uint64_t length) override {
    IMAGELIB_RETURN_IF_ERROR(advance(offset, length));
    return hashing_ ? hash_.write_zero(offset, length) : Status{};
  }
  std::uint64_t end() const { return end_; }
  std::string finish() { return hash_.finish(end_); }

 private:
  Status advance(std::uint64_t offset, std::uint64_t length) {
    if (offset != end_ || length == 0) {
      return Status(ErrorCode::kInternal, "extent at " + std::to_string(offset) + " of " +
                                              std::to_string(length) + " bytes after end " +
                                              std::to_string(end_));
    }
    end_ += length;
    return {};
  }
  bool hashing_;
  Sha256Sink hash_;
  std::uint64_t end_ = 0;
};

// Decodes with `sink`, then checks that the extents covered the disk.
Result<std::uint64_t> decode_checked(const ContainerFormat& format, const RandomAccessSource& in,
                                     const DecodeLimits& limits, ContractCheckingSink& sink) {
  SerialUnitSink units(sink);
  auto size = format.decode(in, units, limits);
  if (!size.ok()) return size.status();
  if (sink.end() != *size) {
    return Status(ErrorCode::kInternal, "extents cover " + std::to_string(sink.end()) +
                                            " bytes of a " + std::to_string(*size) + "-byte disk");
  }
  return size;
}

// Decoded within the contract, or refused with kBadImage.
bool decoded_or_refused(const ContainerFormat& format, const RandomAccessSource& in) {
  ContractCheckingSink sink(/*hashing=*/false);
  auto size = decode_checked(format, in, DecodeLimits{}, sink);
  return size.ok() || size.status().code() == ErrorCode::kBadImage;
}

// The bytes of a vector, read in place (mutation tests decode thousands of
// copies; a MemoryBlob would copy each one again).
class ByteViewSource final : public RandomAccessSource {
 public:
  explicit ByteViewSource(ByteView bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Status read_at(std::uint64_t offset, MutableByteView out) const override {
    if (offset > bytes_.size() || out.size() > bytes_.size() - offset) {
      return Status(ErrorCode::kOutOfRange, "read past the end of the bytes");
    }
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    return {};
  }

 private:
  ByteView bytes_;
};

Status make_vector_files(const ScratchDir& dir, const QemuVector& vector) {
  IMAGELIB_RETURN_IF_ERROR(
      write_test_disk(dir.path("source.raw"), vector.size, vector.data_bytes, vector.seed));
  std::vector<std::string> args = {"convert", "-f", "raw", "-O", vector.qemu_format};
  args.insert(args.end(), vector.options.begin(), vector.options.end());
  args.push_back(dir.path("source.raw"));
  args.push_back(dir.path("image"));
  return run_qemu_img(args);
}

}  // namespace

Result<DecodedDigest> decode_and_hash(const ContainerFormat& format, const RandomAccessSource& in,
                                      const DecodeLimits& limits) {
  ContractCheckingSink sink(/*hashing=*/true);
  auto size = decode_checked(format, in, limits, sink);
  if (!size.ok()) return size.status();
  return DecodedDigest{*size, sink.finish()};
}

void expect_decodes_like_qemu(const ContainerFormat& format, const QemuVector& vector) {
  ScratchDir dir("containers");
  ASSERT_TRUE(dir.ok());
  const Status made = make_vector_files(dir, vector);
  ASSERT_TRUE(made.ok()) << made.to_string();
  const Status converted = run_qemu_img(
      {"convert", "-f", vector.qemu_format, "-O", "raw", dir.path("image"), dir.path("qemu.raw")});
  ASSERT_TRUE(converted.ok()) << converted.to_string();
  auto expected = sha256_of_file(dir.path("qemu.raw"));
  ASSERT_TRUE(expected.ok()) << expected.status().to_string();
  auto expected_size = FileSource::open(dir.path("qemu.raw"));
  ASSERT_TRUE(expected_size.ok());

  auto image = FileSource::open(dir.path("image"));
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  auto decoded = decode_and_hash(format, *image);
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->virtual_size, expected_size->size());
  EXPECT_EQ(decoded->sha256, *expected);
}

Result<Bytes> make_qemu_image(const QemuVector& vector) {
  ScratchDir dir("containers");
  if (!dir.ok()) return Status(ErrorCode::kInternal, "cannot make a scratch directory");
  IMAGELIB_RETURN_IF_ERROR(make_vector_files(dir, vector));
  return read_file(dir.path("image"));
}

MemoryBlob blob_of(ByteView bytes) {
  MemoryBlob blob;
  EXPECT_TRUE(blob.write_at(0, bytes).ok());
  return blob;
}

void expect_refused(const ContainerFormat& format, ByteView bytes, const std::string& reason,
                    const DecodeLimits& limits) {
  const ByteViewSource in(bytes);
  auto decoded = decode_and_hash(format, in, limits);
  ASSERT_FALSE(decoded.ok()) << "decoded a file that should be refused for: " << reason;
  EXPECT_EQ(decoded.status().code(), ErrorCode::kBadImage) << decoded.status().to_string();
  EXPECT_NE(decoded.status().message().find(reason), std::string::npos)
      << "message \"" << decoded.status().message() << "\" does not mention \"" << reason << "\"";
  EXPECT_EQ(decoded.status().message().rfind(std::string(format.name) + ": ", 0), 0u)
      << decoded.status().message();
}

bool expect_decoded_or_refused(const ContainerFormat& format, ByteView bytes) {
  const ByteViewSource in(bytes);
  ContractCheckingSink sink(/*hashing=*/false);
  auto size = decode_checked(format, in, DecodeLimits{}, sink);
  if (size.ok()) return true;
  EXPECT_EQ(size.status().code(), ErrorCode::kBadImage) << size.status().to_string();
  return false;
}

void expect_truncations_refused(const ContainerFormat& format, ByteView bytes,
                                const std::vector<std::uint64_t>& boundaries) {
  for (const std::uint64_t boundary : boundaries) {
    for (const std::uint64_t cut : {boundary - 1, boundary, boundary + 1}) {
      if (cut >= bytes.size()) continue;
      const ByteViewSource in(bytes.first(cut));
      auto decoded = decode_and_hash(format, in);
      EXPECT_FALSE(decoded.ok()) << "decoded a file cut at " << cut;
      if (!decoded.ok()) {
        EXPECT_EQ(decoded.status().code(), ErrorCode::kBadImage)
            << "cut at " << cut << ": " << decoded.status().to_string();
      }
    }
  }
}

void expect_bit_flips_handled(const ContainerFormat& format, ByteView bytes, std::uint64_t begin,
                              std::uint64_t end) {
  Bytes copy(bytes.begin(), bytes.end());
  for (std::uint64_t at = begin; at < end && at < copy.size(); ++at) {
    const auto bit = static_cast<std::uint8_t>(1u << (at % 8));
    copy[at] ^= bit;
    SCOPED_TRACE("bit flipped in byte " + std::to_string(at));
    expect_decoded_or_refused(format, copy);
    copy[at] ^= bit;
  }
}

void expect_random_overwrites_handled(const ContainerFormat& format, const Bytes& bytes,
                                      const std::vector<ByteRange>& ranges) {
  ASSERT_FALSE(ranges.empty());
  const bool held = rc::check(
      std::string(format.name) + " images with overwritten bytes are decoded or refused", [&] {
        Bytes copy = bytes;
        const std::size_t count = *rc::gen::inRange<std::size_t>(1, 9);
        for (std::size_t i = 0; i < count; ++i) {
          const ByteRange& range = ranges[*rc::gen::inRange<std::size_t>(0, ranges.size())];
          const std::uint64_t end = std::min<std::uint64_t>(range.end, copy.size());
          RC_PRE(range.begin < end);
          const std::uint64_t at = *rc::gen::inRange<std::uint64_t>(range.begin, end);
          copy[at] = *rc::gen::arbitrary<std::uint8_t>();
        }
        RC_ASSERT(decoded_or_refused(format, ByteViewSource(copy)));
      });
  EXPECT_TRUE(held);
}

}  // namespace imagelib::testing
