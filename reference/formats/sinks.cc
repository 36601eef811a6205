#include "reference/formats/sinks.h"

#include <algorithm>
#include <cstring>

namespace imagelib {

bool block_is_zero(ByteView data) {
  // Zero when the first byte is and every byte equals the one after it:
  // memcmp is vectorised and stops at the first non-zero byte, which in a
  // data block is nearly always among the first.
  if (data.empty()) return true;
  return data[0] == 0 && std::memcmp(data.data(), data.data() + 1, data.size() - 1) == 0;
}

Status TeeSink::write_data(std::uint64_t offset, ByteView data) {
  for (ExtentSink* sink : sinks_) IMAGELIB_RETURN_IF_ERROR(sink->write_data(offset, data));
  return {};
}

Status TeeSink::write_zero(std::uint64_t offset, std::uint64_t length) {
  for (ExtentSink* sink : sinks_) IMAGELIB_RETURN_IF_ERROR(sink->write_zero(offset, length));
  return {};
}

Status NonZeroBlockCounter::write_data(std::uint64_t offset, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t position = offset + done;
    const std::uint64_t block = position / kDiskSizeBlock;
    const std::size_t piece = static_cast<std::size_t>(
        std::min<std::uint64_t>(kDiskSizeBlock - position % kDiskSizeBlock, data.size() - done));
    if (!(any_ && block == last_block_) && !block_is_zero(data.subspan(done, piece))) {
      ++counted_;
      last_block_ = block;
      any_ = true;
    }
    done += piece;
  }
  return {};
}

std::uint64_t NonZeroBlockCounter::bytes(std::uint64_t disk_size) const {
  std::uint64_t total = counted_ * kDiskSizeBlock;
  const std::uint64_t last_start = last_block_ * kDiskSizeBlock;
  if (any_ && last_start + kDiskSizeBlock > disk_size && disk_size > last_start) {
    total -= last_start + kDiskSizeBlock - disk_size;
  }
  return total;
}

Status write_raw_bytes(ExtentSink& out, std::uint64_t offset, ByteView data) {
  std::size_t run_start = 0;
  bool run_is_zero = false;
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t position = offset + done;
    const std::size_t piece = static_cast<std::size_t>(
        std::min<std::uint64_t>(kDiskSizeBlock - position % kDiskSizeBlock, data.size() - done));
    const bool zero = block_is_zero(data.subspan(done, piece));
    if (done > 0 && zero != run_is_zero) {
      const ByteView run = data.subspan(run_start, done - run_start);
      IMAGELIB_RETURN_IF_ERROR(run_is_zero ? out.write_zero(offset + run_start, run.size())
                                           : out.write_data(offset + run_start, run));
      run_start = done;
    }
    run_is_zero = zero;
    done += piece;
  }
  if (done > run_start) {
    const ByteView run = data.subspan(run_start, done - run_start);
    IMAGELIB_RETURN_IF_ERROR(run_is_zero ? out.write_zero(offset + run_start, run.size())
                                         : out.write_data(offset + run_start, run));
  }
  return {};
}

}  // namespace imagelib
