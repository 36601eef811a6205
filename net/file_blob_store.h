// FileBlobStore: a BlobStore whose blobs are sparse files under a directory
// (`imagelib serve --data-dir`), read and written with pread/pwrite, so a
// multi-GiB image never sits in memory. Each blob is a file N.blob, removed
// with the blob's last reference unless the journal's snapshot names it
// (net/core_snapshot): a restart adopts those files instead of copying
// their bytes, and removes the rest once the journal is replayed.
// Descriptors come from a bounded OpenFileCache, however many blobs there
// are.
// Like every Blob, a blob is used by one thread at a time (the server's
// strand, or the decoding worker that owns a job's new disk), except that
// reads (pread) of a blob nobody writes may run on several threads at once;
// create() may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "net/open_file_cache.h"
#include "reference/library/blob_store.h"

namespace imagelib::net {

// The files of one store, shared with its blobs: their descriptors, the
// blobs alive, and the files the journal's snapshot names (kept on disk when
// their blob goes, until the next start's collect_garbage()).
class BlobFiles {
 public:
  BlobFiles(std::string directory, std::size_t max_open_files)
      : directory_(std::move(directory)), cache_(max_open_files) {}

  std::string path_of(std::uint64_t key) const;
  OpenFileCache& cache() { return cache_; }
  void born(std::uint64_t key);
  // A blob went: its descriptor is closed and its file removed, unless kept.
  void died(std::uint64_t key);
  void keep(std::uint64_t key);
  // From now on keeps only the files `named`, and removes every file that
  // is neither named nor held by a blob.
  void collect_garbage(const std::set<std::uint64_t>& named);

 private:
  const std::string directory_;
  OpenFileCache cache_;
  std::mutex mutex_;
  std::set<std::uint64_t> alive_;
  std::set<std::uint64_t> kept_;
};

class FileBlob final : public Blob {
 public:
  // The file `key` of `files`, whose first `size` bytes are the blob's.
  FileBlob(std::shared_ptr<BlobFiles> files, std::uint64_t key, std::uint64_t size = 0);
  ~FileBlob() override;
  FileBlob(const FileBlob&) = delete;
  FileBlob& operator=(const FileBlob&) = delete;

  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;
  // All-zero pieces are not written (or are punched out), keeping the file sparse.
  Status write_at(std::uint64_t offset, ByteView data) override;
  Status resize(std::uint64_t size) override;
  std::vector<Extent> data_extents() const override;

  // What a snapshot names the blob by (net/core_snapshot).
  std::uint64_t key() const { return key_; }
  // A snapshot names the file: its bytes go to disk (fdatasync), and the
  // file stays when the blob goes, until the next start.
  Status keep_for_snapshot() const;

 private:
  Result<OpenFileCache::Lease> open() const;
  Status zero_range(int fd, std::uint64_t offset, std::uint64_t length);

  std::shared_ptr<BlobFiles> files_;
  std::uint64_t key_;
  std::string path_;
  std::uint64_t size_;
};

class FileBlobStore final : public BlobStore {
 public:
  static constexpr std::size_t kDefaultOpenFiles = 64;

  // `directory` must exist and be writable (checked by open_store()).
  explicit FileBlobStore(std::string directory, std::size_t max_open_files = kDefaultOpenFiles)
      : files_(std::make_shared<BlobFiles>(std::move(directory), max_open_files)) {}

  // Checks that a blob can be made in `directory`; new blobs are numbered
  // past the files already there.
  static Result<std::shared_ptr<FileBlobStore>> open_store(const std::string& directory,
                                                           std::size_t max_open_files = kDefaultOpenFiles);
  const OpenFileCache& open_files() const { return files_->cache(); }

  // A new empty blob; on an I/O failure (disk gone) a MemoryBlob, so the
  // caller never gets null (the Library has no failure path for create()).
  std::shared_ptr<Blob> create() override;
  // The blob a snapshot names: the file `key`, cut to `size` (bytes past it
  // were never acknowledged), kept on disk until the next start.
  Result<std::shared_ptr<Blob>> adopt(std::uint64_t key, std::uint64_t size);
  // Once the journal is replayed, with the files its snapshot names: removes
  // the files neither named nor held by a blob (of a process that died, of a
  // snapshot replaced).
  void collect_garbage(const std::set<std::uint64_t>& named) { files_->collect_garbage(named); }

 private:
  Result<std::shared_ptr<Blob>> try_create();

  std::shared_ptr<BlobFiles> files_;
  std::atomic<std::uint64_t> next_key_ = 0;
};

}  // namespace imagelib::net
