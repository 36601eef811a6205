#include "net/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace imagelib::net {
namespace {

constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024 * 1024;
constexpr std::uint64_t kMaxPayloadBytes = 64 * kMiB;

Status io_error(const std::string& what) {
  return Status(ErrorCode::kInternal, "journal: " + what + ": " + std::strerror(errno));
}

// Reads exactly `length` bytes at `offset`; false at the end of the file.
bool read_exact(int fd, std::uint64_t offset, void* out, std::size_t length) {
  auto* bytes = static_cast<std::uint8_t*>(out);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, bytes + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

Status write_all(int fd, const void* data, std::size_t length) {
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  std::size_t done = 0;
  while (done < length) {
    const ssize_t n = ::write(fd, bytes + done, length - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("write");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

template <typename Int>
void put_le(std::string& out, Int value) {
  for (std::size_t i = 0; i < sizeof(Int); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

template <typename Int>
Int get_le(const std::uint8_t* bytes) {
  Int value = 0;
  for (std::size_t i = 0; i < sizeof(Int); ++i) value |= static_cast<Int>(Int{bytes[i]} << (8 * i));
  return value;
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::open(const std::string& path, const Visitor& visit) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("open " + path);
  if (::fchmod(fd, 0600) != 0) {  // journals of older versions were made with the umask's mode
    const Status error = io_error("chmod " + path);
    ::close(fd);
    return error;
  }
  std::uint64_t offset = 0;
  std::uint64_t records = 0;
  std::string header_text;
  Bytes payload;
  while (true) {
    std::uint8_t length_bytes[8];
    if (!read_exact(fd, offset, length_bytes, 4)) break;
    const auto header_length = get_le<std::uint32_t>(length_bytes);
    if (header_length > kMaxHeaderBytes) break;
    header_text.resize(header_length);
    if (!read_exact(fd, offset + 4, header_text.data(), header_length)) break;
    if (!read_exact(fd, offset + 4 + header_length, length_bytes, 8)) break;
    const auto payload_length = get_le<std::uint64_t>(length_bytes);
    if (payload_length > kMaxPayloadBytes) break;
    payload.resize(static_cast<std::size_t>(payload_length));
    if (!read_exact(fd, offset + 12 + header_length, payload.data(), payload.size())) break;
    const nlohmann::json header = nlohmann::json::parse(header_text, nullptr, false);
    if (header.is_discarded()) break;
    const Status visited = visit(header, payload);
    if (!visited.ok()) {
      ::close(fd);
      return visited;
    }
    offset += 12 + header_length + payload_length;
    ++records;
  }
  // Whatever follows the last complete record was never acknowledged.
  if (::ftruncate(fd, static_cast<off_t>(offset)) != 0 ||
      ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    const Status error = io_error("truncate a torn record");
    ::close(fd);
    return error;
  }
  return std::unique_ptr<Journal>(new Journal(fd, path, records));
}

Result<std::unique_ptr<Journal>> Journal::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create " + path);
  return std::unique_ptr<Journal>(new Journal(fd, path, 0));
}

Status Journal::install_as(const std::string& target) {
  if (::fsync(fd_) != 0) return io_error("fsync " + path_);
  if (::rename(path_.c_str(), target.c_str()) != 0) return io_error("rename " + path_);
  path_ = target;
  const std::string directory = std::filesystem::path(target).parent_path().string();
  const int dir = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return io_error("open " + directory);
  const int synced = ::fsync(dir);
  ::close(dir);
  if (synced != 0) return io_error("fsync " + directory);
  return {};
}

Journal::~Journal() { ::close(fd_); }

Status Journal::append(const nlohmann::json& header, ByteView payload, bool sync) {
  const std::string header_text = header.dump();
  // What open() would take for a torn record must never be written.
  if (header_text.size() > kMaxHeaderBytes || payload.size() > kMaxPayloadBytes) {
    return Status(ErrorCode::kInternal, "journal: record too large");
  }
  std::string frame;
  frame.reserve(12 + header_text.size());
  put_le(frame, static_cast<std::uint32_t>(header_text.size()));
  frame += header_text;
  put_le(frame, static_cast<std::uint64_t>(payload.size()));
  IMAGELIB_RETURN_IF_ERROR(write_all(fd_, frame.data(), frame.size()));
  IMAGELIB_RETURN_IF_ERROR(write_all(fd_, payload.data(), payload.size()));
  if (sync && ::fdatasync(fd_) != 0) return io_error("fdatasync");
  ++records_;
  return {};
}

}  // namespace imagelib::net
