#include "tools/file_blob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace imagelib::cli {
namespace {

Status io_error(const std::string& what) {
  return Status(ErrorCode::kInternal, what + ": " + std::strerror(errno));
}

Status pread_all(int fd, std::uint64_t offset, MutableByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("read");
    if (n == 0) return Status(ErrorCode::kOutOfRange, "the file ended early");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

Result<FileSource> FileSource::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error(path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status(ErrorCode::kInternal, path + ": not a regular file");
  }
  return FileSource(fd, static_cast<std::uint64_t>(st.st_size));
}

FileSource::FileSource(FileSource&& other) noexcept : fd_(other.fd_), size_(other.size_) { other.fd_ = -1; }

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSource::read_at(std::uint64_t offset, MutableByteView out) const {
  if (offset > size_ || out.size() > size_ - offset) {
    return Status(ErrorCode::kOutOfRange, "read past the end of the file");
  }
  return pread_all(fd_, offset, out);
}

RandomAccessSource::DataRange FileSource::data_range_from(std::uint64_t offset) const {
  if (offset >= size_) return {size_, size_};
  // lseek moves the descriptor's offset, which pread ignores: safe beside
  // reads on other threads. A file system without SEEK_DATA reports no holes.
  const off_t data = ::lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
  if (data < 0) return errno == ENXIO ? DataRange{size_, size_} : DataRange{offset, size_};
  const auto start = static_cast<std::uint64_t>(data);
  if (start >= size_) return {size_, size_};
  const off_t hole = ::lseek(fd_, data, SEEK_HOLE);
  const std::uint64_t end =
      hole < 0 ? size_ : std::clamp<std::uint64_t>(static_cast<std::uint64_t>(hole), start, size_);
  if (start == end) return {offset, size_};
  return {start, end};
}

Result<FileBlob> FileBlob::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(path);
  return FileBlob(fd);
}

FileBlob::FileBlob(FileBlob&& other) noexcept : fd_(other.fd_), size_(other.size_) { other.fd_ = -1; }

FileBlob::~FileBlob() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileBlob::read_at(std::uint64_t offset, MutableByteView out) const {
  if (offset > size_ || out.size() > size_ - offset) {
    return Status(ErrorCode::kOutOfRange, "read past the end of the file");
  }
  return pread_all(fd_, offset, out);
}

Status FileBlob::write_at(std::uint64_t offset, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write");
    done += static_cast<std::size_t>(n);
  }
  size_ = std::max<std::uint64_t>(size_, offset + data.size());
  return {};
}

Status FileBlob::resize(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return io_error("truncate");
  size_ = size;
  return {};
}

std::vector<Extent> FileBlob::data_extents() const {
  std::vector<Extent> extents;
  std::uint64_t position = 0;
  while (position < size_) {
    const off_t data = ::lseek(fd_, static_cast<off_t>(position), SEEK_DATA);
    if (data < 0) break;
    const off_t hole = ::lseek(fd_, data, SEEK_HOLE);
    const std::uint64_t end = hole < 0 ? size_ : std::min<std::uint64_t>(static_cast<std::uint64_t>(hole), size_);
    extents.push_back({static_cast<std::uint64_t>(data), end - static_cast<std::uint64_t>(data)});
    position = end;
  }
  return extents;
}

}  // namespace imagelib::cli
