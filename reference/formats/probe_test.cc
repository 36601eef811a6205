#include "reference/formats/probe.h"

#include <gtest/gtest.h>

#include <cstring>

#include "reference/base/blob.h"

namespace imagelib {
namespace {

MemoryBlob file_with(std::uint64_t size, std::uint64_t at, std::string_view bytes) {
  MemoryBlob blob;
  EXPECT_TRUE(blob.resize(size).ok());
  EXPECT_TRUE(blob.write_at(at, ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())).ok());
  return blob;
}

Status probe_status(const RandomAccessSource& in) {
  auto probed = probe_format(in);
  return probed.ok() ? Status() : probed.status();
}

TEST(Probe, NamesTheFormatFromTheContent) {
  EXPECT_EQ(probe_format(file_with(4096, 0, "hello"))->name(), "raw");
  EXPECT_EQ(probe_format(file_with(4096, 0, std::string_view("QFI\xfb\0\0\0\3", 8)))->name(), "qcow2");
  EXPECT_EQ(probe_format(file_with(4096, 0, "\x1f\x8b\x08"))->name(), "gzip");
  EXPECT_EQ(probe_format(file_with(4096, 0, "BZh9"))->name(), "bzip2");
  EXPECT_EQ(probe_format(file_with(4096, 0, std::string_view("\xfd" "7zXZ\0", 6)))->name(), "xz");
  EXPECT_EQ(probe_format(file_with(4096, 0, "\x28\xb5\x2f\xfd"))->name(), "zstd");
}

TEST(Probe, EmptyFileIsRefused) {
  MemoryBlob empty;
  EXPECT_EQ(probe_status(empty).message(), "the file is empty");
}

TEST(Probe, OutOfScopeFormatsAreRefusedByName) {
  const struct {
    std::uint64_t at;
    std::string_view bytes;
    std::string expected;
  } cases[] = {
      {0, std::string_view("QFI\xfb\0\0\0\1", 8), "qcow (version 1) images are not supported"},
      {0, std::string_view("QED\0", 4), "QED images are not supported"},
      {0, "Bochs Virtual HD Image", "bochs images are not supported"},
      {0, "#!/bin/sh\n#V2.0 Format\nmodprobe cloop file=$0", "cloop images are not supported"},
      {4096 - 512, "koly", "dmg images are not supported"},
      {0, "WithoutFreeSpace", "parallels images are not supported"},
      {0, "WithouFreSpacExt", "parallels images are not supported"},
      {0, "LUKS\xba\xbe", "LUKS images are not supported"},
  };
  for (const auto& c : cases) {
    const Status status = probe_status(file_with(4096, c.at, c.bytes));
    EXPECT_EQ(status.code(), ErrorCode::kBadImage) << c.expected;
    EXPECT_EQ(status.message(), c.expected);
  }
}

TEST(Probe, TwoMatchingSignaturesAreRefused) {
  MemoryBlob blob = file_with(4096, 0, "\x1f\x8b\x08");
  ASSERT_TRUE(blob.write_at(4096 - 512, to_bytes("koly")).ok());
  const Status status = probe_status(blob);
  EXPECT_EQ(status.code(), ErrorCode::kBadImage);
  EXPECT_EQ(status.message(), "the content matches the signatures of gzip and dmg: refusing to guess");
}

TEST(Probe, FileNameNeverMatters) {
  // The probe takes only content; a file shorter than a sector still probes.
  EXPECT_EQ(probe_format(file_with(3, 0, "abc"))->name(), "raw");
}

}  // namespace
}  // namespace imagelib
