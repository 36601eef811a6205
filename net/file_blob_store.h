// FileBlobStore: a BlobStore whose blobs are sparse files under a directory
// (`imagelib serve --data-dir`), read and written with pread/pwrite, so a
// multi-GiB image never sits in memory. The blob the Library names KEY is
// the file KEY.blob, made at its first write: a restarted server's replay
// makes the same blobs under the same names and finds their files where the
// first run wrote them. A file is removed with the blob's last reference
// unless the journal's snapshot names it (net/core_snapshot) or the server
// is stopping (keep_every_file); a restart removes the files no blob holds
// once the journal is replayed.
//
// While a journal of uploads kept by reference is replayed (net/journal.md)
// the store is *replaying*: the files already hold every byte the first run
// wrote, so a blob's writes and resizes only move its size and touch no
// file (the bytes handed to them are not looked at); finish_replay() then
// cuts each file to its blob's size (what lies past it was never
// acknowledged) and writes for real from then on.
//
// Descriptors come from a bounded OpenFileCache, however many blobs there
// are. Like every Blob, a blob is used by one thread at a time (the server's
// strand, or the decoding worker that owns a job's new disk), except that
// reads (pread) of a blob nobody writes may run on several threads at once;
// create() may be called from any thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "net/open_file_cache.h"
#include "reference/library/blob_store.h"

namespace imagelib::net {

class FileBlob;

// The files of one store, shared with its blobs: their descriptors, the
// blobs alive, and the files the journal's snapshot names (kept on disk when
// their blob goes, until the next start's collect_garbage()).
class BlobFiles {
 public:
  BlobFiles(std::string directory, std::size_t max_open_files)
      : directory_(std::move(directory)), cache_(max_open_files) {}

  std::string path_of(BlobKey key) const;
  OpenFileCache& cache() { return cache_; }
  bool replaying() const { return replaying_; }
  void set_replaying(bool replaying) { replaying_ = replaying; }
  void keep_every_file() { keep_every_file_ = true; }
  void born(FileBlob* blob);
  // A blob went: its descriptor is closed and its file removed, unless kept,
  // replaying or keeping every file.
  void died(BlobKey key);
  void keep(BlobKey key);
  // From now on keeps only the files `named`, and removes every file that
  // is neither named nor held by a blob.
  void collect_garbage(const std::set<BlobKey>& named);
  // The blobs alive now.
  std::vector<FileBlob*> alive();

 private:
  const std::string directory_;
  OpenFileCache cache_;
  std::atomic<bool> replaying_ = false;
  std::atomic<bool> keep_every_file_ = false;
  std::mutex mutex_;
  std::map<BlobKey, FileBlob*> alive_;
  std::set<BlobKey> kept_;
};

class FileBlob final : public Blob {
 public:
  // The file `key` of `files`, whose first `size` bytes are the blob's.
  FileBlob(std::shared_ptr<BlobFiles> files, BlobKey key, std::uint64_t size = 0);
  ~FileBlob() override;
  FileBlob(const FileBlob&) = delete;
  FileBlob& operator=(const FileBlob&) = delete;

  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;
  // All-zero pieces are not written (or are punched out), keeping the file sparse.
  Status write_at(std::uint64_t offset, ByteView data) override;
  Status resize(std::uint64_t size) override;
  std::vector<Extent> data_extents() const override;
  // fdatasync (nothing while replaying: nothing was written).
  Status sync() override;

  // What a snapshot names the blob by (net/core_snapshot).
  BlobKey key() const { return key_; }
  // A snapshot names the file: its bytes go to disk (fdatasync), and the
  // file stays when the blob goes, until the next start.
  Status keep_for_snapshot() const;
  // At the end of a replay: cuts the file to the blob's size. Fails if the
  // blob holds bytes and its file is missing (removed from outside).
  Status settle();

 private:
  Result<OpenFileCache::Lease> open() const;
  Status sync_file() const;  // fdatasync
  Status zero_range(int fd, std::uint64_t offset, std::uint64_t length);

  std::shared_ptr<BlobFiles> files_;
  BlobKey key_;
  std::string path_;
  std::uint64_t size_;
};

class FileBlobStore final : public BlobStore {
 public:
  static constexpr std::size_t kDefaultOpenFiles = 64;

  // `directory` must exist and be writable (checked by open_store()).
  explicit FileBlobStore(std::string directory, std::size_t max_open_files = kDefaultOpenFiles)
      : files_(std::make_shared<BlobFiles>(std::move(directory), max_open_files)) {}

  // Checks that a file can be made in `directory`.
  static Result<std::shared_ptr<FileBlobStore>> open_store(const std::string& directory,
                                                           std::size_t max_open_files = kDefaultOpenFiles);
  const OpenFileCache& open_files() const { return files_->cache(); }

  // A new empty blob, the file KEY.blob. A file of that name left by a
  // process that died is emptied, unless replaying (it holds what the
  // replayed inputs wrote). Its file is made at the first write, whose
  // failure (disk full) is the write's error.
  std::shared_ptr<Blob> create(BlobKey key) override;
  // The blob a snapshot names: the file `key`, whose first `size` bytes are
  // the blob's (bytes past them were never acknowledged, or, while
  // replaying, are the replay's), kept on disk until the next start.
  Result<std::shared_ptr<Blob>> adopt(BlobKey key, std::uint64_t size);

  // Before a replay of a journal that keeps uploads by reference.
  void start_replay() { files_->set_replaying(true); }
  // After it: settles every blob alive (FileBlob::settle) and writes for
  // real from then on. With `repair`, a blob whose file is missing reads as
  // zeros and is noted in `notes` instead of failing the start.
  Status finish_replay(bool repair, std::vector<std::string>& notes);
  // The server stops: the blobs its core drops now keep their files (the
  // journal still needs them). Only a blob the core itself drops is removed.
  void keep_every_file() { files_->keep_every_file(); }
  // Once the journal is replayed, with the files its snapshot names: removes
  // the files neither named nor held by a blob (of a process that died, of a
  // snapshot replaced).
  void collect_garbage(const std::set<BlobKey>& named) { files_->collect_garbage(named); }

 private:
  std::shared_ptr<BlobFiles> files_;
};

}  // namespace imagelib::net
