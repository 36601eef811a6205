// FileBlobStore: a BlobStore whose blobs are sparse files under a directory
// (`imagelib serve --data-dir`), read and written with pread/pwrite, so a
// multi-GiB image never sits in memory. Each blob is an unlinked temporary
// file: it disappears with its last reference, and a crash leaves nothing
// behind (what must survive a restart is rebuilt from the journal).
// Like every Blob, a blob is used by one thread at a time (the server's
// strand, or the decoding worker that owns a job's new disk), except that
// reads (pread) of a blob nobody writes may run on several threads at once;
// create() may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "reference/library/blob_store.h"

namespace imagelib::net {

class FileBlob final : public Blob {
 public:
  // Takes ownership of an open, empty, read-write file descriptor.
  explicit FileBlob(int fd);
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
  Status write_range(std::uint64_t offset, ByteView data);
  Status zero_range(std::uint64_t offset, std::uint64_t length);

  int fd_;
  std::uint64_t size_ = 0;
};

class FileBlobStore final : public BlobStore {
 public:
  // `directory` must exist and be writable (checked by open_store()).
  explicit FileBlobStore(std::string directory) : directory_(std::move(directory)) {}

  // Checks that a blob can be made in `directory`.
  static Result<std::shared_ptr<FileBlobStore>> open_store(const std::string& directory);

  // A new empty blob; on an I/O failure (disk gone) a MemoryBlob, so the
  // caller never gets null (the Library has no failure path for create()).
  std::shared_ptr<Blob> create() override;

 private:
  Result<std::shared_ptr<Blob>> try_create();

  std::string directory_;
};

}  // namespace imagelib::net
