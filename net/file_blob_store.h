// FileBlobStore: a BlobStore whose blobs are sparse files under a directory
// (`imagelib serve --data-dir`), read and written with pread/pwrite, so a
// multi-GiB image never sits in memory. Each blob is a file N.blob that is
// removed with the blob's last reference; what a crash leaves is removed
// when the store opens (what must survive a restart is rebuilt from the
// journal). Descriptors come from a bounded OpenFileCache, however many
// blobs there are.
// Like every Blob, a blob is used by one thread at a time (the server's
// strand, or the decoding worker that owns a job's new disk), except that
// reads (pread) of a blob nobody writes may run on several threads at once;
// create() may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "net/open_file_cache.h"
#include "reference/library/blob_store.h"

namespace imagelib::net {

class FileBlob final : public Blob {
 public:
  // The empty file at `path`, `key` in `files`; removed with the blob.
  FileBlob(std::shared_ptr<OpenFileCache> files, std::uint64_t key, std::string path);
  ~FileBlob() override;
  FileBlob(const FileBlob&) = delete;
  FileBlob& operator=(const FileBlob&) = delete;

  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;
  // All-zero pieces are not written (or are punched out), keeping the file sparse.
  Status write_at(std::uint64_t offset, ByteView data) override;
  Status resize(std::uint64_t size) override;
  std::vector<Extent> data_extents() const override;

 private:
  Result<OpenFileCache::Lease> open() const;
  Status zero_range(int fd, std::uint64_t offset, std::uint64_t length);

  std::shared_ptr<OpenFileCache> files_;
  std::uint64_t key_;
  std::string path_;
  std::uint64_t size_ = 0;
};

class FileBlobStore final : public BlobStore {
 public:
  static constexpr std::size_t kDefaultOpenFiles = 64;

  // `directory` must exist and be writable (checked by open_store()).
  explicit FileBlobStore(std::string directory, std::size_t max_open_files = kDefaultOpenFiles)
      : directory_(std::move(directory)), files_(std::make_shared<OpenFileCache>(max_open_files)) {}

  // Removes the blob files a crash left in `directory` and checks that a
  // blob can be made there.
  static Result<std::shared_ptr<FileBlobStore>> open_store(const std::string& directory,
                                                           std::size_t max_open_files = kDefaultOpenFiles);
  const OpenFileCache& open_files() const { return *files_; }

  // A new empty blob; on an I/O failure (disk gone) a MemoryBlob, so the
  // caller never gets null (the Library has no failure path for create()).
  std::shared_ptr<Blob> create() override;

 private:
  Result<std::shared_ptr<Blob>> try_create();

  std::string directory_;
  std::shared_ptr<OpenFileCache> files_;
  std::atomic<std::uint64_t> next_key_ = 0;
};

}  // namespace imagelib::net
