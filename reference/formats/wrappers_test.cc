// decode_image end to end on files made at test time: raw and qcow2 inside
// gzip, bzip2, xz and zstd (made by the command-line tools) decode to the
// SHA-256 of the raw disk; formats out of scope, nesting and bombs are
// refused with a reason.
#include <gtest/gtest.h>

#include "reference/formats/decode.h"
#include "reference/formats/qemu_img_testing.h"
#include "reference/formats/tool_testing.h"

namespace imagelib {
namespace {

using testing::run_qemu_img;
using testing::run_tool;
using testing::ScratchDir;

constexpr std::uint64_t kSeed = 77;

struct Wrapper {
  const char* tool;
  const char* name;
};

const Wrapper kWrappers[] = {{"gzip", "gzip"}, {"bzip2", "bzip2"}, {"xz", "xz"}, {"zstd", "zstd"}};

Result<DecodedImage> decode_path(const std::string& path, const DecodeLimits& limits = {}) {
  auto file = testing::FileSource::open(path);
  if (!file.ok()) return file.status();
  MemoryBlob disk;
  auto decoded = decode_image(*file, disk, limits);
  if (decoded.ok() && disk.size() != decoded->virtual_size) {
    return Status(ErrorCode::kInternal, "the disk blob is not the virtual size");
  }
  return decoded;
}

Status compress(const Wrapper& wrapper, const std::string& in, const std::string& out) {
  return run_tool({wrapper.tool, "-c", in}, out);
}

class EachWrapper : public ::testing::TestWithParam<Wrapper> {};

TEST_P(EachWrapper, CompressedRawDecodesToTheRawDisk) {
  ScratchDir dir("wrappers");
  // One disk smaller than the probe window and one larger.
  for (const std::uint64_t size : {std::uint64_t{100 * 1024 + 512}, 5 * kMiB + 512}) {
    ASSERT_TRUE(testing::write_test_disk(dir.path("disk.raw"), size, size / 3, kSeed).ok());
    ASSERT_TRUE(compress(GetParam(), dir.path("disk.raw"), dir.path("disk.packed")).ok());
    auto expected = testing::sha256_of_file(dir.path("disk.raw"));
    auto decoded = decode_path(dir.path("disk.packed"));
    ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
    EXPECT_EQ(decoded->format, std::string("raw+") + GetParam().name);
    EXPECT_EQ(decoded->virtual_size, size);
    EXPECT_EQ(decoded->sha256, *expected);
  }
}

TEST_P(EachWrapper, CompressedQcow2DecodesLikeQemuImg) {
  ScratchDir dir("wrappers");
  ASSERT_TRUE(testing::write_test_disk(dir.path("disk.raw"), 6 * kMiB, 2 * kMiB, kSeed).ok());
  ASSERT_TRUE(run_tool({"qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", dir.path("disk.raw"),
                        dir.path("disk.qcow2")})
                  .ok());
  ASSERT_TRUE(compress(GetParam(), dir.path("disk.qcow2"), dir.path("disk.packed")).ok());
  auto expected = testing::sha256_of_file(dir.path("disk.raw"));
  auto decoded = decode_path(dir.path("disk.packed"));
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->format, std::string("qcow2+") + GetParam().name);
  EXPECT_EQ(decoded->virtual_size, 6 * kMiB);
  EXPECT_EQ(decoded->sha256, *expected);
}

TEST_P(EachWrapper, DecompressionBeyondTheCapsIsRefused) {
  ScratchDir dir("wrappers");
  ASSERT_TRUE(testing::write_test_disk(dir.path("disk.raw"), 32 * kMiB, 4096, kSeed).ok());
  ASSERT_TRUE(compress(GetParam(), dir.path("disk.raw"), dir.path("disk.packed")).ok());
  auto decoded = decode_path(dir.path("disk.packed"), DecodeLimits{.max_virtual_size = 8 * kMiB});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), ErrorCode::kBadImage);
  EXPECT_NE(decoded.status().message().find("is above the limit"), std::string::npos)
      << decoded.status().message();

  ASSERT_TRUE(run_tool({"qemu-img", "convert", "-f", "raw", "-O", "qcow2", dir.path("disk.raw"),
                        dir.path("disk.qcow2")})
                  .ok());
  ASSERT_TRUE(compress(GetParam(), dir.path("disk.qcow2"), dir.path("qcow2.packed")).ok());
  decoded = decode_path(dir.path("qcow2.packed"), DecodeLimits{.max_decompressed_size = 128 * 1024});
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("exceeds the limit"), std::string::npos)
      << decoded.status().message();
}

TEST_P(EachWrapper, UnsafeContentInsideIsRefusedWithItsReason) {
  ScratchDir dir("wrappers");
  ASSERT_TRUE(run_tool({"qemu-img", "create", "-f", "qcow2", dir.path("base.qcow2"), "1M"}).ok());
  ASSERT_TRUE(run_tool({"qemu-img", "create", "-f", "qcow2", "-b", dir.path("base.qcow2"), "-F",
                        "qcow2", dir.path("top.qcow2")})
                  .ok());
  ASSERT_TRUE(compress(GetParam(), dir.path("top.qcow2"), dir.path("top.packed")).ok());
  auto decoded = decode_path(dir.path("top.packed"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(),
            "qcow2: a backing file is not allowed (the image must be self-contained)");

  ASSERT_TRUE(compress(GetParam(), dir.path("top.packed"), dir.path("twice.packed")).ok());
  decoded = decode_path(dir.path("twice.packed"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(), std::string(GetParam().name) + ": nested compression (" +
                                            GetParam().name + " inside " + GetParam().name +
                                            ") is not accepted");
}

INSTANTIATE_TEST_SUITE_P(Tools, EachWrapper, ::testing::ValuesIn(kWrappers),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// Formats qemu-img can write but the service does not accept.
TEST(OutOfScope, FormatsMadeByQemuImgAreRefusedByName) {
  ScratchDir dir("out-of-scope");
  const struct {
    std::vector<std::string> create;
    std::string reason;
  } cases[] = {
      {{"-f", "qcow"}, "qcow (version 1) images are not supported"},
      {{"-f", "qed"}, "QED images are not supported"},
      {{"-f", "parallels"}, "parallels images are not supported"},
      {{"--object", "secret,id=sec0,data=imagelib", "-f", "luks", "-o", "key-secret=sec0,iter-time=10"},
       "LUKS images are not supported"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"create"};
    args.insert(args.end(), c.create.begin(), c.create.end());
    args.push_back(dir.path("image"));
    args.push_back("4M");
    const Status made = run_qemu_img(args);
    ASSERT_TRUE(made.ok()) << made.to_string();
    auto decoded = decode_path(dir.path("image"));
    ASSERT_FALSE(decoded.ok()) << c.reason;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kBadImage);
    EXPECT_EQ(decoded.status().message(), c.reason);
  }
}

// A raw disk carrying a qcow2 header is a qcow2 to the probe, and its
// backing file is refused (CVE-2008-2004, CVE-2024-40767).
TEST(OutOfScope, RawDiskWithAQcow2HeaderIsNeverDecodedAsRaw) {
  ScratchDir dir("raw-qcow2");
  ASSERT_TRUE(run_tool({"qemu-img", "create", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw",
                        dir.path("image")})
                  .ok());
  auto decoded = decode_path(dir.path("image"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(),
            "qcow2: a backing file is not allowed (the image must be self-contained)");
}

}  // namespace
}  // namespace imagelib
