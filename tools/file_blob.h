// Files on disk as the reference's byte seams: FileSource reads a file with
// pread and reports its holes, FileBlob writes one with pwrite and leaves
// holes where nothing is written (ftruncate). The only file I/O of the format
// tools; used by the inspect and convert commands. FileSource's const calls
// may come from several threads at once (a parallel decode); FileBlob is not
// thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "reference/base/blob.h"

namespace imagelib::cli {

class FileSource final : public RandomAccessSource {
 public:
  static Result<FileSource> open(const std::string& path);
  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&&) = delete;
  FileSource(const FileSource&) = delete;
  ~FileSource() override;

  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;
  // The file system's next data range (SEEK_DATA, SEEK_HOLE).
  DataRange data_range_from(std::uint64_t offset) const override;

 private:
  FileSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  std::uint64_t size_;
};

// A new file (truncated if it exists), written at any offset.
class FileBlob final : public Blob {
 public:
  static Result<FileBlob> create(const std::string& path);
  FileBlob(FileBlob&& other) noexcept;
  FileBlob& operator=(FileBlob&&) = delete;
  FileBlob(const FileBlob&) = delete;
  ~FileBlob() override;

  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;
  Status write_at(std::uint64_t offset, ByteView data) override;
  Status resize(std::uint64_t size) override;
  // The file's data ranges as the file system reports them (SEEK_DATA).
  std::vector<Extent> data_extents() const override;

 private:
  FileBlob(int fd) : fd_(fd) {}
  int fd_;
  std::uint64_t size_ = 0;
};

}  // namespace imagelib::cli
