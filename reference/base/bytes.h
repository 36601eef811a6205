// Byte views and the two seams every image decoder works through: a
// RandomAccessSource it reads from and an ExtentSink it writes the decoded
// disk to, as data and zero extents (zero runs are never materialised).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "reference/base/status.h"

namespace imagelib {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

inline constexpr std::uint64_t kMiB = 1024 * 1024;
inline constexpr std::uint64_t kGiB = 1024 * kMiB;
inline constexpr std::uint64_t kTiB = 1024 * kGiB;

class RandomAccessSource {
 public:
  virtual ~RandomAccessSource() = default;
  virtual std::uint64_t size() const = 0;
  // Fills `out` from `offset`; kOutOfRange if any of it lies past size().
  virtual Status read_at(std::uint64_t offset, MutableByteView out) const = 0;

  // [start, end): the first range at or after `offset` that may hold a
  // non-zero byte; every byte of [offset, start) reads as zero. {size(),
  // size()} when there is none. A source that knows no holes (the default)
  // returns {offset, size()}. Lets a raw disk's holes go unread.
  struct DataRange {
    std::uint64_t start;
    std::uint64_t end;
  };
  virtual DataRange data_range_from(std::uint64_t offset) const { return {offset, size()}; }
};

class ExtentSink {
 public:
  virtual ~ExtentSink() = default;
  virtual Status write_data(std::uint64_t offset, ByteView data) = 0;
  virtual Status write_zero(std::uint64_t offset, std::uint64_t length) = 0;
};

// True when every byte of `data` is zero.
bool is_all_zero(ByteView data);

Bytes to_bytes(std::string_view text);

}  // namespace imagelib
