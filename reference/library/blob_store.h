// BlobStore: where the Library keeps file and disk contents. The in-memory
// store is the default; a file-backed one (net/) holds multi-GiB images.
#pragma once

#include <cstdint>
#include <memory>

#include "reference/base/blob.h"

namespace imagelib {

// A blob's name, chosen by the Library: blobs are numbered in the order the
// Library makes them, which a replay of the same inputs repeats, so a store
// that keeps blobs in files finds again the file a blob was written to.
using BlobKey = std::uint64_t;

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // A new empty blob named `key` (never used before by this store's
  // Library). It lives as long as a record holds it. Callable from any
  // thread: Library::run_job makes its disk on a decoding worker.
  virtual std::shared_ptr<Blob> create(BlobKey key) = 0;
};

class MemoryBlobStore final : public BlobStore {
 public:
  std::shared_ptr<Blob> create(BlobKey) override { return std::make_shared<MemoryBlob>(); }
};

}  // namespace imagelib
