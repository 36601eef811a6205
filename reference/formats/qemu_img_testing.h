// Test support for the format readers: a scratch directory under /tmp that
// is removed with its content, qemu-img run as a child process (by its pid,
// output captured), files read through a RandomAccessSource, sparse raw
// disks of deterministic pseudo-random content with zero runs, and the
// SHA-256 of a file. For tests only: it touches the file system and starts
// processes, which reference/ code proper never does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reference/base/bytes.h"
#include "reference/base/status.h"

namespace imagelib::testing {

// A fresh directory /tmp/imagelib-<tag>-XXXXXX, removed with everything in
// it when the object goes away.
class ScratchDir {
 public:
  explicit ScratchDir(std::string_view tag);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  bool ok() const { return !root_.empty(); }
  // The path of `name` inside the directory.
  std::string path(std::string_view name) const;

 private:
  std::string root_;
};

// True when `qemu-img --version` runs.
bool qemu_img_available();

// Runs `qemu-img args...` through run_tool (tool_testing.h), its standard
// output discarded; kInternal with its errors when it cannot start or exits
// non-zero. A LUKS creation that fails only to time its key derivation (a
// busy machine) is run again, up to five times.
Status run_qemu_img(const std::vector<std::string>& args);

// A regular file read with pread; size() is its size when opened.
class FileSource final : public RandomAccessSource {
 public:
  static Result<FileSource> open(const std::string& path);
  FileSource(FileSource&& other) noexcept;
  FileSource& operator=(FileSource&&) = delete;
  FileSource(const FileSource&) = delete;
  ~FileSource() override;

  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;

 private:
  FileSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  std::uint64_t size_;
};

Result<Bytes> read_file(const std::string& path);
Status write_file(const std::string& path, ByteView content);

// Writes a sparse raw disk of `size` bytes at `path`: pieces of
// pseudo-random bytes (some pieces text-like, so they compress) at
// positions and lengths drawn from `seed`, about `data_bytes` in all, and
// zeros (holes) elsewhere. The same arguments always give the same content.
Status write_test_disk(const std::string& path, std::uint64_t size, std::uint64_t data_bytes,
                       std::uint64_t seed);

// Lowercase hex SHA-256 of a file's content; holes are hashed as zeros
// without being read.
Result<std::string> sha256_of_file(const std::string& path);

}  // namespace imagelib::testing
