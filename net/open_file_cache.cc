#include "net/open_file_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace imagelib::net {

OpenFileCache::~OpenFileCache() {
  for (const auto& [key, entry] : open_) ::close(entry.fd);
}

OpenFileCache::Lease::~Lease() {
  if (cache_ != nullptr) cache_->release(key_);
}

Result<OpenFileCache::Lease> OpenFileCache::lease(std::uint64_t key, const std::string& path) {
  std::lock_guard lock(mutex_);
  auto found = open_.find(key);
  if (found == open_.end()) {
    make_room();
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return Status(ErrorCode::kInternal, "cannot open the blob file " + path + ": " + std::strerror(errno));
    }
    recent_.push_front(key);
    found = open_.emplace(key, Entry{fd, 0, recent_.begin()}).first;
  } else {
    recent_.splice(recent_.begin(), recent_, found->second.recent);
  }
  ++found->second.leases;
  return Lease(this, key, found->second.fd);
}

void OpenFileCache::release(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  const auto found = open_.find(key);
  if (found != open_.end()) --found->second.leases;
}

void OpenFileCache::forget(std::uint64_t key) {
  std::lock_guard lock(mutex_);
  const auto found = open_.find(key);
  if (found == open_.end()) return;
  ::close(found->second.fd);
  recent_.erase(found->second.recent);
  open_.erase(found);
}

void OpenFileCache::make_room() {
  for (auto it = recent_.end(); open_.size() >= capacity_ && it != recent_.begin();) {
    --it;
    const auto entry = open_.find(*it);
    if (entry->second.leases > 0) continue;
    ::close(entry->second.fd);
    open_.erase(entry);
    it = recent_.erase(it);
  }
}

std::size_t OpenFileCache::open_count() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

}  // namespace imagelib::net
