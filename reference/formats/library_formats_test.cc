// Registration through the Library with real image files: each accepted
// format ends `available` with the sizes and digest of its raw disk, and an
// unsafe file ends `failed` with the decoder's reason.
#include <gtest/gtest.h>

#include "reference/formats/qemu_img_testing.h"
#include "reference/formats/tool_testing.h"
#include "reference/library/testing.h"

namespace imagelib {
namespace {

using testing::run_tool;

struct Upload {
  const char* name;
  std::vector<std::string> make;  // a qemu-img convert, or a compressor with -c
  std::string expected_format;
};

class RegisterEachFormat : public ::testing::TestWithParam<Upload> {};

TEST_P(RegisterEachFormat, EndsAvailableWithTheRawDisksSizesAndDigest) {
  testing::ScratchDir dir("library-formats");
  const std::uint64_t size = 4 * kMiB + 512;
  ASSERT_TRUE(testing::write_test_disk(dir.path("disk.raw"), size, kMiB, 31).ok());
  std::string upload = dir.path("disk.raw");
  const Upload& param = GetParam();
  if (!param.make.empty()) {
    upload = dir.path("upload");
    std::vector<std::string> argv = param.make;
    if (argv[0] == "qemu-img") {
      argv.push_back(dir.path("disk.raw"));
      argv.push_back(upload);
      ASSERT_TRUE(run_tool(argv).ok());
    } else {
      argv.push_back(dir.path("disk.raw"));
      ASSERT_TRUE(run_tool(argv, upload).ok());
    }
  }
  auto content = testing::read_file(upload);
  ASSERT_TRUE(content.ok());
  auto expected_sha = testing::sha256_of_file(dir.path("disk.raw"));
  auto raw = testing::read_file(dir.path("disk.raw"));
  ASSERT_TRUE(raw.ok());
  std::uint64_t nonzero = 0;
  for (std::uint64_t block = 0; block < raw->size(); block += 4096) {
    const ByteView piece = ByteView(*raw).subspan(block, std::min<std::uint64_t>(4096, raw->size() - block));
    if (!is_all_zero(piece)) nonzero += piece.size();
  }

  imagelib::testing::LibraryFixture fixture;
  const Image image = fixture.add_image(fixture.main, "upload.img", *content);
  EXPECT_EQ(image.status, ImageStatus::kAvailable) << image.status_reason;
  EXPECT_EQ(image.source_format, param.expected_format);
  EXPECT_EQ(image.virtual_size, size);
  EXPECT_EQ(image.disk_size, nonzero);
  EXPECT_EQ(image.sha256, *expected_sha);
}

const Upload kUploads[] = {
    {"raw", {}, "raw"},
    {"gzip", {"gzip", "-c"}, "raw+gzip"},
    {"bzip2", {"bzip2", "-c"}, "raw+bzip2"},
    {"xz", {"xz", "-c"}, "raw+xz"},
    {"zstd", {"zstd", "-c"}, "raw+zstd"},
    {"qcow2", {"qemu-img", "convert", "-f", "raw", "-O", "qcow2"}, "qcow2"},
    {"qcow2_compressed", {"qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c"}, "qcow2"},
    {"vmdk", {"qemu-img", "convert", "-f", "raw", "-O", "vmdk"}, "vmdk"},
    {"vmdk_stream",
     {"qemu-img", "convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized"}, "vmdk"},
    {"vdi", {"qemu-img", "convert", "-f", "raw", "-O", "vdi"}, "vdi"},
    {"vpc", {"qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "force_size=on"}, "vpc"},
    {"vpc_fixed",
     {"qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "force_size=on,subformat=fixed"}, "vpc"},
    {"vhdx", {"qemu-img", "convert", "-f", "raw", "-O", "vhdx"}, "vhdx"},
};

INSTANTIATE_TEST_SUITE_P(Formats, RegisterEachFormat, ::testing::ValuesIn(kUploads),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(RegisterUnsafe, BackingFileEndsFailedWithTheReason) {
  testing::ScratchDir dir("library-unsafe");
  ASSERT_TRUE(run_tool({"qemu-img", "create", "-f", "qcow2", "-b", "/etc/hostname", "-F", "raw",
                        dir.path("top.qcow2")})
                  .ok());
  auto content = testing::read_file(dir.path("top.qcow2"));
  ASSERT_TRUE(content.ok());
  imagelib::testing::LibraryFixture fixture;
  const Image image = fixture.add_image(fixture.main, "top.qcow2", *content);
  EXPECT_EQ(image.status, ImageStatus::kFailed);
  EXPECT_EQ(image.status_reason,
            "qcow2: a backing file is not allowed (the image must be self-contained)");
}

TEST(RegisterUnsafe, OutOfScopeFormatEndsFailedWithTheReason) {
  testing::ScratchDir dir("library-unsafe");
  ASSERT_TRUE(run_tool({"qemu-img", "create", "-f", "qed", dir.path("disk.qed"), "4M"}).ok());
  auto content = testing::read_file(dir.path("disk.qed"));
  ASSERT_TRUE(content.ok());
  imagelib::testing::LibraryFixture fixture;
  const Image image = fixture.add_image(fixture.main, "disk.qed", *content);
  EXPECT_EQ(image.status, ImageStatus::kFailed);
  EXPECT_EQ(image.status_reason, "QED images are not supported");
}

}  // namespace
}  // namespace imagelib
