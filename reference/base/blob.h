// Blob: the content of one stored file or disk, readable and writable at any
// offset. MemoryBlob keeps only pages that hold a non-zero byte, so a 10 GiB
// disk of zeros costs almost nothing. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "reference/base/bytes.h"

namespace imagelib {

struct Extent {
  std::uint64_t offset;
  std::uint64_t length;
};

class Blob : public RandomAccessSource {
 public:
  // Writes `data` at `offset`, growing the blob (with zeros) as needed.
  virtual Status write_at(std::uint64_t offset, ByteView data) = 0;
  // Cuts or extends (with zeros) to `size` bytes.
  virtual Status resize(std::uint64_t size) = 0;
  // Ranges that may hold non-zero bytes, in order; everything else is zero.
  virtual std::vector<Extent> data_extents() const = 0;
  // Makes what was written durable before the Library acknowledges it (an
  // upload's 226, a decoded disk): a file-backed blob syncs its file.
  virtual Status sync() { return {}; }
};

class MemoryBlob final : public Blob {
 public:
  static constexpr std::uint64_t kPageSize = 64 * 1024;

  std::uint64_t size() const override { return size_; }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;
  Status write_at(std::uint64_t offset, ByteView data) override;
  Status resize(std::uint64_t size) override;
  std::vector<Extent> data_extents() const override;

 private:
  std::map<std::uint64_t, Bytes> pages_;  // page index -> kPageSize bytes
  std::uint64_t size_ = 0;
};

// An ExtentSink that writes a decoded disk into a Blob.
class BlobSink final : public ExtentSink {
 public:
  explicit BlobSink(Blob& blob) : blob_(blob) {}
  Status write_data(std::uint64_t offset, ByteView data) override;
  Status write_zero(std::uint64_t offset, std::uint64_t length) override;

 private:
  Blob& blob_;
};

// A RandomAccessSource over bytes it owns (small files, tests). Thread-safe
// for reads.
class BytesSource final : public RandomAccessSource {
 public:
  explicit BytesSource(Bytes bytes) : bytes_(std::move(bytes)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;

 private:
  Bytes bytes_;
};

// Reads the whole blob (for tests and small files).
Result<Bytes> read_all(const RandomAccessSource& source);

}  // namespace imagelib
