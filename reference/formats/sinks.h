// ExtentSinks that decode_image combines: a tee that hands every extent to
// several sinks, a counter of the disk's non-zero 4 KiB blocks (disk_size),
// and the zero-block split that turns raw bytes into data and zero extents.
// Callable from anywhere in reference/ and tools/.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <vector>

#include "reference/base/bytes.h"

namespace imagelib {

inline constexpr std::uint64_t kDiskSizeBlock = 4096;

// True when every byte of `data` is zero; faster than a byte loop on
// multi-kilobyte blocks.
bool block_is_zero(ByteView data);

class TeeSink final : public ExtentSink {
 public:
  TeeSink(std::initializer_list<ExtentSink*> sinks) : sinks_(sinks) {}
  Status write_data(std::uint64_t offset, ByteView data) override;
  Status write_zero(std::uint64_t offset, std::uint64_t length) override;

 private:
  std::vector<ExtentSink*> sinks_;
};

// Counts the 4 KiB blocks of the disk (aligned on the disk) that hold a
// non-zero byte. Extents must arrive in ascending order.
class NonZeroBlockCounter final : public ExtentSink {
 public:
  Status write_data(std::uint64_t offset, ByteView data) override;
  Status write_zero(std::uint64_t, std::uint64_t) override { return {}; }
  // Bytes of the counted blocks on a disk of `disk_size` bytes (the last
  // block may be short).
  std::uint64_t bytes(std::uint64_t disk_size) const;

 private:
  std::uint64_t counted_ = 0;
  std::uint64_t last_block_ = 0;
  bool any_ = false;
};

// Writes `data` (raw disk bytes at `offset`) to `out` as data extents for its
// non-zero 4 KiB blocks and zero extents for the rest.
Status write_raw_bytes(ExtentSink& out, std::uint64_t offset, ByteView data);

}  // namespace imagelib
