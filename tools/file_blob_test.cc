// FileSource reports a sparse file's holes (data_range_from) and reads the
// rest; a raw decode of a sparse file through it gives the bytes of the
// file, whole.
#include "tools/file_blob.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "reference/base/blob.h"
#include "reference/formats/decode.h"

namespace imagelib::cli {
namespace {

class SparseFile {
 public:
  SparseFile() {
    char name[] = "/tmp/file_blob_test-XXXXXX";
    fd_ = ::mkstemp(name);
    path_ = name;
  }
  ~SparseFile() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  void write(std::uint64_t offset, ByteView data) const {
    ASSERT_EQ(::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset)),
              static_cast<ssize_t>(data.size()));
  }
  void resize(std::uint64_t size) const { ASSERT_EQ(::ftruncate(fd_, static_cast<off_t>(size)), 0); }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

Bytes pattern(std::size_t size, std::uint8_t seed) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(i * 13 + seed) | 1;
  return bytes;
}

TEST(FileSource, ReportsTheHolesOfASparseFile) {
  SparseFile file;
  file.write(4 * kMiB, pattern(kMiB, 1));
  file.resize(8 * kMiB);
  auto source = FileSource::open(file.path());
  ASSERT_TRUE(source.ok()) << source.status().to_string();
  const auto first = source->data_range_from(0);
  // A file system may report a hole as data, never data as a hole.
  EXPECT_LE(first.start, 4 * kMiB);
  EXPECT_GE(first.end, 5 * kMiB);
  const auto after = source->data_range_from(first.end);
  EXPECT_LE(after.start, after.end);
  EXPECT_EQ(source->data_range_from(8 * kMiB).start, 8 * kMiB);
  EXPECT_EQ(source->data_range_from(8 * kMiB).end, 8 * kMiB);
}

TEST(FileSource, ARawDecodeOfASparseFileGivesItsBytes) {
  SparseFile file;
  const Bytes head = pattern(100'000, 3);
  const Bytes middle = pattern(3 * kMiB + 17, 5);
  file.write(0, head);
  file.write(9 * kMiB + 4096, middle);
  file.resize(16 * kMiB + 512);
  auto source = FileSource::open(file.path());
  ASSERT_TRUE(source.ok());
  MemoryBlob disk;
  auto decoded = decode_image(*source, disk, DecodeLimits{});
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->virtual_size, 16 * kMiB + 512);
  auto bytes = read_all(disk);
  ASSERT_TRUE(bytes.ok());
  Bytes expected(16 * kMiB + 512);
  std::copy(head.begin(), head.end(), expected.begin());
  std::copy(middle.begin(), middle.end(), expected.begin() + 9 * kMiB + 4096);
  EXPECT_EQ(*bytes, expected);
}

}  // namespace
}  // namespace imagelib::cli
