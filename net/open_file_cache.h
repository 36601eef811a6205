// OpenFileCache: at most `capacity` descriptors open for many files, the
// least recently used closed first, so that the number of stored files never
// decides how many descriptors a server holds (SPEC §6: one descriptor per
// stored file ran serve out of them). A caller leases a file's descriptor
// for one operation; a leased descriptor is never closed under it, and when
// every one is leased the cache opens past its capacity rather than wait.
// Thread-safe (blobs are read from decoding workers).
// Callers: FileBlobStore (net/file_blob_store).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <string>

#include "reference/base/status.h"

namespace imagelib::net {

class OpenFileCache {
 public:
  explicit OpenFileCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  ~OpenFileCache();
  OpenFileCache(const OpenFileCache&) = delete;
  OpenFileCache& operator=(const OpenFileCache&) = delete;

  // A descriptor of the file `key` names, open read-write while it lives.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : cache_(other.cache_), key_(other.key_), fd_(other.fd_) {
      other.cache_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    int fd() const { return fd_; }

   private:
    friend class OpenFileCache;
    Lease(OpenFileCache* cache, std::uint64_t key, int fd) : cache_(cache), key_(key), fd_(fd) {}
    OpenFileCache* cache_;
    std::uint64_t key_;
    int fd_;
  };

  // Opens `path` (made if missing, mode 0600) unless its descriptor is cached.
  Result<Lease> lease(std::uint64_t key, const std::string& path);
  // Closes the file's descriptor (it must not be leased): before it is removed.
  void forget(std::uint64_t key);
  // Descriptors open now (for tests and reports).
  std::size_t open_count() const;

 private:
  struct Entry {
    int fd = -1;
    int leases = 0;
    std::list<std::uint64_t>::iterator recent;  // in recent_
  };
  void release(std::uint64_t key);
  // Closes unleased descriptors, least recently used first, down to capacity - 1.
  void make_room();

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, Entry> open_;
  std::list<std::uint64_t> recent_;  // most recent first
};

}  // namespace imagelib::net
