#include "net/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "reference/base/crc32c.h"

namespace imagelib::net {
namespace {

// Offset 0 of a format-2 journal; format 1 had no file header.
constexpr std::array<std::uint8_t, 8> kMagic = {'I', 'M', 'G', 'J', 'R', 'N', 'L', '2'};
// Format 2 frame: u32 header length, u64 payload length, u32 CRC-32C of
// those twelve bytes, u32 CRC-32C of the twelve bytes, the header and the
// payload; then header and payload. The lengths' own checksum tells a torn
// record (the file ends inside a record whose lengths are sound) from one
// whose lengths were damaged.
constexpr std::uint64_t kFrameBytes = 20;
// Format 1 frame: u32 header length, header, u64 payload length, payload.
constexpr std::uint64_t kFormat1FrameBytes = 12;
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

ByteView view(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// One record as read from the file.
struct Frame {
  enum class State { kGood, kTorn, kCorrupt } state = State::kTorn;
  std::uint64_t size = 0;  // the whole frame's bytes, when known
  std::string problem;     // for kCorrupt
  nlohmann::json header;
  Bytes payload;
};

Frame corrupt(std::string problem) {
  Frame frame;
  frame.state = Frame::State::kCorrupt;
  frame.problem = std::move(problem);
  return frame;
}

Frame read_format2_frame(int fd, std::uint64_t offset, std::uint64_t file_size) {
  std::array<std::uint8_t, kFrameBytes> fixed{};
  if (file_size - offset < kFrameBytes || !read_exact(fd, offset, fixed.data(), fixed.size())) return {};
  const auto header_length = get_le<std::uint32_t>(fixed.data());
  const auto payload_length = get_le<std::uint64_t>(fixed.data() + 4);
  if (crc32c(ByteView(fixed).first(12)) != get_le<std::uint32_t>(fixed.data() + 12)) {
    return corrupt("the checksum of its lengths does not match");
  }
  if (header_length > kMaxHeaderBytes || payload_length > kMaxPayloadBytes) {
    return corrupt("its lengths (" + std::to_string(header_length) + ", " + std::to_string(payload_length) +
                   ") are beyond any record's");
  }
  Frame frame;
  frame.size = kFrameBytes + header_length + payload_length;
  if (frame.size > file_size - offset) return frame;  // torn: the file ends inside it
  std::string header_text(header_length, '\0');
  frame.payload.resize(static_cast<std::size_t>(payload_length));
  if (!read_exact(fd, offset + kFrameBytes, header_text.data(), header_length) ||
      !read_exact(fd, offset + kFrameBytes + header_length, frame.payload.data(), frame.payload.size())) {
    return frame;
  }
  std::uint32_t crc = crc32c(ByteView(fixed).first(12));
  crc = crc32c_extend(crc32c_extend(crc, view(header_text)), frame.payload);
  if (crc != get_le<std::uint32_t>(fixed.data() + 16)) {
    Frame bad = corrupt("its checksum does not match");
    bad.size = frame.size;
    return bad;
  }
  frame.header = nlohmann::json::parse(header_text, nullptr, false);
  if (frame.header.is_discarded()) {
    Frame bad = corrupt("its header is not JSON");
    bad.size = frame.size;
    return bad;
  }
  frame.state = Frame::State::kGood;
  return frame;
}

// Format 1 had no checksum: anything unreadable was taken for a torn tail.
Frame read_format1_frame(int fd, std::uint64_t offset) {
  std::uint8_t length_bytes[8];
  if (!read_exact(fd, offset, length_bytes, 4)) return {};
  const auto header_length = get_le<std::uint32_t>(length_bytes);
  if (header_length > kMaxHeaderBytes) return {};
  std::string header_text(header_length, '\0');
  if (!read_exact(fd, offset + 4, header_text.data(), header_length)) return {};
  if (!read_exact(fd, offset + 4 + header_length, length_bytes, 8)) return {};
  const auto payload_length = get_le<std::uint64_t>(length_bytes);
  if (payload_length > kMaxPayloadBytes) return {};
  Frame frame;
  frame.payload.resize(static_cast<std::size_t>(payload_length));
  if (!read_exact(fd, offset + kFormat1FrameBytes + header_length, frame.payload.data(), frame.payload.size())) {
    return {};
  }
  frame.header = nlohmann::json::parse(header_text, nullptr, false);
  if (frame.header.is_discarded()) return {};
  frame.size = kFormat1FrameBytes + header_length + payload_length;
  frame.state = Frame::State::kGood;
  return frame;
}

// Copies [offset, end of file) of `fd` to a new file beside `path`; its name.
Result<std::string> copy_tail_aside(int fd, const std::string& path, std::uint64_t offset,
                                    std::uint64_t file_size) {
  std::string target = path + ".bad-" + std::to_string(offset);
  int out = -1;
  for (int attempt = 1; out < 0; ++attempt) {
    out = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0 && errno != EEXIST) return io_error("create " + target);
    if (out < 0) target = path + ".bad-" + std::to_string(offset) + "." + std::to_string(attempt);
  }
  Bytes chunk(static_cast<std::size_t>(std::min<std::uint64_t>(file_size - offset, kMiB)));
  Status copied;
  for (std::uint64_t at = offset; at < file_size && copied.ok();) {
    const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), file_size - at));
    if (!read_exact(fd, at, chunk.data(), length)) {
      copied = io_error("read " + path);
    } else {
      copied = write_all(out, chunk.data(), length);
    }
    at += length;
  }
  if (copied.ok() && ::fsync(out) != 0) copied = io_error("fsync " + target);
  ::close(out);
  if (!copied.ok()) return copied;
  return target;
}

std::string frame_bytes(const std::string& header_text, ByteView payload, int format) {
  std::string frame;
  if (format == 1) {
    put_le(frame, static_cast<std::uint32_t>(header_text.size()));
    frame += header_text;
    put_le(frame, static_cast<std::uint64_t>(payload.size()));
    return frame;
  }
  put_le(frame, static_cast<std::uint32_t>(header_text.size()));
  put_le(frame, static_cast<std::uint64_t>(payload.size()));
  const std::uint32_t lengths_crc = crc32c(view(frame));
  put_le(frame, lengths_crc);
  put_le(frame, crc32c_extend(crc32c_extend(lengths_crc, view(header_text)), payload));
  frame += header_text;
  return frame;
}

}  // namespace

// Reads a journal's records for Journal::open.
class JournalReader {
 public:
  JournalReader(Journal& journal, const JournalOpenOptions& options) : journal_(journal), options_(options) {}

  Status read(const Journal::Visitor& visit) {
    struct stat info {};
    if (::fstat(journal_.fd_, &info) != 0) return io_error("stat " + journal_.path_);
    file_size_ = static_cast<std::uint64_t>(info.st_size);
    std::array<std::uint8_t, kMagic.size()> start{};
    const std::size_t start_size = static_cast<std::size_t>(std::min<std::uint64_t>(file_size_, start.size()));
    if (!read_exact(journal_.fd_, 0, start.data(), start_size)) return io_error("read " + journal_.path_);
    const bool magic_prefix = std::equal(start.begin(), start.begin() + static_cast<long>(start_size), kMagic.begin());
    std::uint64_t offset = 0;
    if (magic_prefix && start_size < kMagic.size()) {
      return end_at(0);  // no file yet, or an empty journal whose file header was torn
    }
    if (magic_prefix) {
      offset = kMagic.size();
    } else if (file_size_ > 4 && start[4] == '{') {
      journal_.format_ = 1;  // a format-1 record's header is JSON
    } else if (file_size_ > 4) {
      IMAGELIB_RETURN_IF_ERROR(refuse_or_move_aside(0, 0, "is not a journal's file header (nor format 1)"));
      return end_at(0);
    } else {
      journal_.format_ = 1;  // the first record of a format-1 journal, torn
    }
    while (offset < file_size_) {
      const Frame frame = journal_.format_ == 2 ? read_format2_frame(journal_.fd_, offset, file_size_)
                                                : read_format1_frame(journal_.fd_, offset);
      const std::uint64_t record = journal_.records_ + 1;
      const bool last = frame.size > 0 && offset + frame.size == file_size_;
      if (frame.state == Frame::State::kTorn || (frame.state == Frame::State::kCorrupt && last)) {
        journal_.notes_.push_back("journal " + journal_.path_ + ": cut off a torn last record at byte " +
                                  std::to_string(offset) + " (" + std::to_string(file_size_ - offset) +
                                  " bytes, never acknowledged)");
        break;
      }
      if (frame.state == Frame::State::kCorrupt) {
        IMAGELIB_RETURN_IF_ERROR(refuse_or_move_aside(record, offset, "is corrupt: " + frame.problem));
        break;
      }
      if (const Status visited = visit(frame.header, frame.payload); !visited.ok()) {
        IMAGELIB_RETURN_IF_ERROR(
            refuse_or_move_aside(record, offset, "cannot be replayed: " + visited.message()));
        journal_.moved_a_refused_record_ = true;
        break;
      }
      offset += frame.size;
      ++journal_.records_;
    }
    return end_at(offset);
  }

 private:
  Status refuse_or_move_aside(std::uint64_t record, std::uint64_t offset, const std::string& cause) {
    const std::string what = "journal " + journal_.path_ + ": " +
                             (record == 0 ? std::string("the file") : "record " + std::to_string(record)) +
                             " at byte " + std::to_string(offset) + " " + cause;
    if (!options_.repair) {
      return Status(ErrorCode::kInternal,
                    what + "; starting imagelib serve with --repair moves it and the " +
                        std::to_string(file_size_ - offset) + " bytes from there on aside to " +
                        journal_.path_ + ".bad-" + std::to_string(offset) +
                        " and starts from the records before it");
    }
    auto target = copy_tail_aside(journal_.fd_, journal_.path_, offset, file_size_);
    if (!target.ok()) return target.status();
    journal_.notes_.push_back(what + "; moved it and the " + std::to_string(file_size_ - offset) +
                              " bytes from there on to " + *target + " (--repair)");
    return {};
  }

  // Whatever follows the last good record goes; an empty journal gets its file header.
  Status end_at(std::uint64_t offset) {
    if (offset == 0) journal_.format_ = 2;
    if (::ftruncate(journal_.fd_, static_cast<off_t>(offset)) != 0 ||
        ::lseek(journal_.fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
      return io_error("truncate " + journal_.path_);
    }
    if (offset == 0) IMAGELIB_RETURN_IF_ERROR(write_all(journal_.fd_, kMagic.data(), kMagic.size()));
    if (offset < file_size_ && ::fdatasync(journal_.fd_) != 0) return io_error("fdatasync " + journal_.path_);
    return {};
  }

  Journal& journal_;
  const JournalOpenOptions& options_;
  std::uint64_t file_size_ = 0;
};

Result<std::unique_ptr<Journal>> Journal::open(const std::string& path, const Visitor& visit,
                                               JournalOpenOptions options) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("open " + path);
  std::unique_ptr<Journal> journal(new Journal(fd, path, kCurrentFormat));
  if (::fchmod(fd, 0600) != 0) return io_error("chmod " + path);  // older versions used the umask's mode
  IMAGELIB_RETURN_IF_ERROR(JournalReader(*journal, options).read(visit));
  return journal;
}

Result<std::unique_ptr<Journal>> Journal::create(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create " + path);
  std::unique_ptr<Journal> journal(new Journal(fd, path, kCurrentFormat));
  IMAGELIB_RETURN_IF_ERROR(write_all(fd, kMagic.data(), kMagic.size()));
  return journal;
}

Status Journal::install_as(const std::string& target) {
  IMAGELIB_RETURN_IF_ERROR(write_counted());
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

Journal::~Journal() {
  (void)write_counted();  // a clean stop keeps it; a crash loses it, unacknowledged
  ::close(fd_);
}

Status Journal::append_counted(nlohmann::json header, const std::string& count_field) {
  const std::uint64_t count = header.at(count_field).get<std::uint64_t>();
  nlohmann::json identity = header;
  identity.erase("at");
  identity.erase(count_field);
  if (counted_ && counted_identity_ == identity) {
    const std::uint64_t sum = counted_->at(count_field).get<std::uint64_t>() + count;
    header[count_field] = sum;
    *counted_ = std::move(header);
    return sum < kCountedRecordLimit ? Status() : write_counted();
  }
  IMAGELIB_RETURN_IF_ERROR(write_counted());
  counted_ = std::move(header);
  counted_identity_ = std::move(identity);
  return {};
}

Status Journal::write_counted() {
  if (!counted_) return {};
  nlohmann::json header = std::move(*counted_);
  counted_.reset();
  return write_record(header, {}, false);
}

Status Journal::append(const nlohmann::json& header, ByteView payload, bool sync) {
  IMAGELIB_RETURN_IF_ERROR(write_counted());
  return write_record(header, payload, sync);
}

Status Journal::write_record(const nlohmann::json& header, ByteView payload, bool sync) {
  const std::string header_text = header.dump();
  // What open() would take for a bad record must never be written.
  if (header_text.size() > kMaxHeaderBytes || payload.size() > kMaxPayloadBytes) {
    return Status(ErrorCode::kInternal, "journal: record too large");
  }
  const std::string frame = frame_bytes(header_text, payload, format_);
  IMAGELIB_RETURN_IF_ERROR(write_all(fd_, frame.data(), frame.size()));
  IMAGELIB_RETURN_IF_ERROR(write_all(fd_, payload.data(), payload.size()));
  if (sync && ::fdatasync(fd_) != 0) return io_error("fdatasync");
  ++records_;
  return {};
}

}  // namespace imagelib::net
