#include "net/file_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace imagelib::net {
namespace {

// Zero detection and hole punching work in pieces of this size.
constexpr std::uint64_t kPiece = 64 * 1024;

Status io_error(const char* what) {
  return Status(ErrorCode::kInternal, std::string("blob file ") + what + ": " + std::strerror(errno));
}

off_t to_off(std::uint64_t value) { return static_cast<off_t>(value); }

// The number of a blob file named N.blob; nullopt for any other name.
std::optional<BlobKey> blob_key(const std::filesystem::path& path) {
  if (path.extension() != ".blob") return std::nullopt;
  const std::string stem = path.stem().string();
  char* end = nullptr;
  const std::uint64_t key = std::strtoull(stem.c_str(), &end, 10);
  if (end == stem.c_str() || *end != '\0') return std::nullopt;
  return key;
}

Status write_range(int fd, std::uint64_t offset, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done, to_off(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("write");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

std::string BlobFiles::path_of(BlobKey key) const {
  return directory_ + "/" + std::to_string(key) + ".blob";
}

void BlobFiles::born(FileBlob* blob) {
  std::lock_guard lock(mutex_);
  alive_[blob->key()] = blob;
}

void BlobFiles::died(BlobKey key) {
  cache_.forget(key);
  std::lock_guard lock(mutex_);
  alive_.erase(key);
  // While replaying, a core may be replayed again from the same files (a
  // repair, a compaction): collect_garbage() removes what no core kept.
  if (kept_.count(key) == 0 && !replaying_ && !keep_every_file_) ::unlink(path_of(key).c_str());
}

void BlobFiles::keep(BlobKey key) {
  std::lock_guard lock(mutex_);
  kept_.insert(key);
}

std::vector<FileBlob*> BlobFiles::alive() {
  std::lock_guard lock(mutex_);
  std::vector<FileBlob*> blobs;
  for (const auto& [key, blob] : alive_) blobs.push_back(blob);
  return blobs;
}

void BlobFiles::collect_garbage(const std::set<BlobKey>& named) {
  std::lock_guard lock(mutex_);
  kept_ = named;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory_, error)) {
    if (entry.path().extension() != ".blob") continue;
    const std::optional<BlobKey> key = blob_key(entry.path());
    if (!key || (alive_.count(*key) == 0 && named.count(*key) == 0)) std::filesystem::remove(entry.path(), error);
  }
}

FileBlob::FileBlob(std::shared_ptr<BlobFiles> files, BlobKey key, std::uint64_t size)
    : files_(std::move(files)), key_(key), path_(files_->path_of(key)), size_(size) {
  files_->born(this);
}

FileBlob::~FileBlob() { files_->died(key_); }

Result<OpenFileCache::Lease> FileBlob::open() const { return files_->cache().lease(key_, path_); }

Status FileBlob::sync_file() const {
  auto file = open();
  if (!file.ok()) return file.status();
  if (::fdatasync(file->fd()) != 0) return io_error("sync");
  return {};
}

Status FileBlob::keep_for_snapshot() const {
  // Also while replaying: the file may hold a dead process's unsynced bytes.
  IMAGELIB_RETURN_IF_ERROR(sync_file());
  files_->keep(key_);
  return {};
}

Status FileBlob::sync() { return files_->replaying() ? Status() : sync_file(); }

Status FileBlob::settle() {
  struct stat file;
  if (::stat(path_.c_str(), &file) != 0 || static_cast<std::uint64_t>(file.st_size) < size_) {
    if (size_ == 0) return {};
    return Status(ErrorCode::kInternal, "the blob file " + path_ + " is missing or shorter than the " +
                                            std::to_string(size_) + " bytes the journal says it holds");
  }
  if (static_cast<std::uint64_t>(file.st_size) == size_) return {};
  if (::truncate(path_.c_str(), to_off(size_)) != 0) return io_error("cut");
  return {};
}

Status FileBlob::read_at(std::uint64_t offset, MutableByteView out) const {
  if (offset > size_ || out.size() > size_ - offset) {
    return Status(ErrorCode::kOutOfRange, "read past the end of a blob");
  }
  auto file = open();
  if (!file.ok()) return file.status();
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(file->fd(), out.data() + done, out.size() - done, to_off(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("read");
    if (n == 0) {  // the file is shorter than size_ while replaying, or after an external truncation
      std::memset(out.data() + done, 0, out.size() - done);
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status FileBlob::zero_range(int fd, std::uint64_t offset, std::uint64_t length) {
  // Past the end, the later ftruncate() makes the hole; inside, punch one.
  const std::uint64_t end = std::min(offset + length, size_);
  if (offset >= end) return {};
  if (::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, to_off(offset), to_off(end - offset)) == 0) {
    return {};
  }
  const std::vector<std::uint8_t> zeros(static_cast<std::size_t>(end - offset), 0);
  return write_range(fd, offset, zeros);
}

Status FileBlob::write_at(std::uint64_t offset, ByteView data) {
  if (offset + data.size() < offset) return Status(ErrorCode::kOutOfRange, "write offset overflows");
  const std::uint64_t end = offset + data.size();
  if (files_->replaying()) {  // the file holds these bytes already
    size_ = std::max(size_, end);
    return {};
  }
  auto file = open();
  if (!file.ok()) return file.status();
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t position = offset + done;
    const std::size_t length = static_cast<std::size_t>(
        std::min<std::uint64_t>(kPiece - position % kPiece, data.size() - done));
    const ByteView piece = data.subspan(done, length);
    IMAGELIB_RETURN_IF_ERROR(is_all_zero(piece) ? zero_range(file->fd(), position, length)
                                                : write_range(file->fd(), position, piece));
    done += length;
  }
  if (end > size_) {
    if (::ftruncate(file->fd(), to_off(end)) != 0) return io_error("grow");
    size_ = end;
  }
  return {};
}

Status FileBlob::resize(std::uint64_t size) {
  if (files_->replaying()) {
    size_ = size;
    return {};
  }
  auto file = open();
  if (!file.ok()) return file.status();
  if (::ftruncate(file->fd(), to_off(size)) != 0) return io_error("resize");
  size_ = size;
  return {};
}

std::vector<Extent> FileBlob::data_extents() const {
  auto file = open();
  if (!file.ok()) return {Extent{0, size_}};  // unknown: all of it may hold data
  const int fd = file->fd();
  std::vector<Extent> extents;
  off_t position = 0;
  const off_t end = to_off(size_);
  while (position < end) {
    const off_t data = ::lseek(fd, position, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // only a hole remains
      return {Extent{0, size_}};  // no SEEK_DATA support: all of it may hold data
    }
    if (data >= end) break;
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0 || hole > end) hole = end;
    extents.push_back(Extent{static_cast<std::uint64_t>(data),
                             static_cast<std::uint64_t>(hole - data)});
    position = hole;
  }
  return extents;
}

Result<std::shared_ptr<FileBlobStore>> FileBlobStore::open_store(const std::string& directory,
                                                                 std::size_t max_open_files) {
  const std::string probe = directory + "/.probe";
  const int fd = ::open(probe.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status(ErrorCode::kInternal, "cannot make a blob file in " + directory + ": " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(probe.c_str());
  return std::make_shared<FileBlobStore>(directory, max_open_files);
}

std::shared_ptr<Blob> FileBlobStore::create(BlobKey key) {
  if (!files_->replaying()) ::unlink(files_->path_of(key).c_str());
  return std::make_shared<FileBlob>(files_, key);
}

Result<std::shared_ptr<Blob>> FileBlobStore::adopt(BlobKey key, std::uint64_t size) {
  if (size > 0 && !std::filesystem::exists(files_->path_of(key))) {
    return Status(ErrorCode::kInternal, "the blob file " + files_->path_of(key) + " is missing");
  }
  auto blob = std::make_shared<FileBlob>(files_, key, size);
  files_->keep(key);
  IMAGELIB_RETURN_IF_ERROR(blob->resize(size));
  return std::shared_ptr<Blob>(std::move(blob));
}

Status FileBlobStore::finish_replay(bool repair, std::vector<std::string>& notes) {
  std::vector<FileBlob*> damaged;
  for (FileBlob* blob : files_->alive()) {
    const Status settled = blob->settle();
    if (settled.ok()) continue;
    if (!repair) {
      return Status(settled.code(), settled.message() +
                                        "; starting imagelib serve with --repair keeps the blob, "
                                        "its missing bytes reading as zeros");
    }
    notes.push_back(settled.message() + ": its missing bytes read as zeros (--repair)");
    damaged.push_back(blob);
  }
  files_->set_replaying(false);
  for (FileBlob* blob : damaged) IMAGELIB_RETURN_IF_ERROR(blob->resize(blob->size()));
  return {};
}

}  // namespace imagelib::net
