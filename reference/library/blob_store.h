// BlobStore: where the Library keeps file and disk contents. The in-memory
// store is the default; a file-backed one (net/) holds multi-GiB images.
#pragma once

#include <memory>

#include "reference/base/blob.h"

namespace imagelib {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // A new empty blob. It lives as long as a record holds it. Callable from
  // any thread: Library::run_job makes its disk on a decoding worker.
  virtual std::shared_ptr<Blob> create() = 0;
};

class MemoryBlobStore final : public BlobStore {
 public:
  std::shared_ptr<Blob> create() override { return std::make_shared<MemoryBlob>(); }
};

}  // namespace imagelib
