#include "reference/formats/qemu_img_testing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "reference/base/rng.h"
#include "reference/base/sha256.h"
#include "reference/formats/tool_testing.h"

namespace imagelib::testing {
namespace {

Status io_error(const std::string& what) {
  return Status(ErrorCode::kInternal, what + ": " + std::strerror(errno));
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status write_all_at(int fd, std::uint64_t offset, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("pwrite");
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

ScratchDir::ScratchDir(std::string_view tag) {
  std::string pattern = "/tmp/imagelib-" + std::string(tag) + "-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) root_ = pattern;
}

ScratchDir::~ScratchDir() {
  if (root_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

std::string ScratchDir::path(std::string_view name) const {
  return root_ + "/" + std::string(name);
}

Status run_qemu_img(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"qemu-img"};
  argv.insert(argv.end(), args.begin(), args.end());
  // qemu-img times PBKDF2 for LUKS by the thread's CPU time, which a busy
  // machine can report as zero: "Unable to get accurate CPU usage". That is
  // the tool's measurement failing, not the image: try again.
  Status ran = run_tool(argv, "/dev/null");
  for (int retry = 0; retry < 5 && !ran.ok() &&
                      ran.message().find("Unable to get accurate CPU usage") != std::string::npos;
       ++retry) {
    ran = run_tool(argv, "/dev/null");
  }
  return ran;
}

bool qemu_img_available() { return run_qemu_img({"--version"}).ok(); }

Result<FileSource> FileSource::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("open " + path);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return io_error("fstat " + path);
  }
  return FileSource(fd, static_cast<std::uint64_t>(st.st_size));
}

FileSource::FileSource(FileSource&& other) noexcept : fd_(other.fd_), size_(other.size_) {
  other.fd_ = -1;
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileSource::read_at(std::uint64_t offset, MutableByteView out) const {
  if (offset > size_ || out.size() > size_ - offset) {
    return Status(ErrorCode::kOutOfRange, "read past the end of a file");
  }
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("pread");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<Bytes> read_file(const std::string& path) {
  auto file = FileSource::open(path);
  if (!file.ok()) return file.status();
  Bytes content(file->size());
  IMAGELIB_RETURN_IF_ERROR(file->read_at(0, content));
  return content;
}

Status write_file(const std::string& path, ByteView content) {
  Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (fd.fd < 0) return io_error("open " + path);
  return write_all_at(fd.fd, 0, content);
}

Status write_test_disk(const std::string& path, std::uint64_t size, std::uint64_t data_bytes,
                       std::uint64_t seed) {
  Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (fd.fd < 0) return io_error("open " + path);
  if (::ftruncate(fd.fd, static_cast<off_t>(size)) != 0) return io_error("ftruncate " + path);
  if (size == 0) return {};
  Rng rng(seed);
  constexpr std::uint64_t kMaxPiece = 300'000;  // crosses grain and block boundaries
  Bytes piece;
  for (std::uint64_t written = 0; written < data_bytes;) {
    const std::uint64_t length = std::min({1 + rng.uniform(kMaxPiece), data_bytes - written, size});
    const std::uint64_t offset = rng.uniform(size - length + 1);
    piece.resize(length);
    const bool text_like = rng.chance(0.5);
    for (std::uint8_t& byte : piece) {
      byte = text_like ? static_cast<std::uint8_t>('a' + rng.uniform(8))
                       : static_cast<std::uint8_t>(rng.next_u64());
    }
    IMAGELIB_RETURN_IF_ERROR(write_all_at(fd.fd, offset, piece));
    written += length;
  }
  // The last byte is data, so that a short final grain or block matters.
  const std::uint8_t last = 0x5a;
  return write_all_at(fd.fd, size - 1, ByteView(&last, 1));
}

Result<std::string> sha256_of_file(const std::string& path) {
  auto file = FileSource::open(path);
  if (!file.ok()) return file.status();
  Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return io_error("open " + path);
  const std::uint64_t size = file->size();
  Sha256 hash;
  Bytes chunk;
  std::uint64_t position = 0;
  while (position < size) {
    const off_t data = ::lseek(fd.fd, static_cast<off_t>(position), SEEK_DATA);
    const std::uint64_t data_start =
        data < 0 ? size : std::min<std::uint64_t>(static_cast<std::uint64_t>(data), size);
    hash.update_zeros(data_start - position);
    position = data_start;
    if (position >= size) break;
    const off_t hole = ::lseek(fd.fd, static_cast<off_t>(position), SEEK_HOLE);
    const std::uint64_t data_end =
        hole < 0 ? size : std::min<std::uint64_t>(static_cast<std::uint64_t>(hole), size);
    while (position < data_end) {
      chunk.resize(std::min<std::uint64_t>(4 * kMiB, data_end - position));
      IMAGELIB_RETURN_IF_ERROR(file->read_at(position, chunk));
      hash.update(chunk);
      position += chunk.size();
    }
  }
  return hash.hex_digest();
}

}  // namespace imagelib::testing
