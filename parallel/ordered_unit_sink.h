// OrderedUnitSink: a UnitSink (reference/formats/decode_unit.h) that decodes
// the compressed units and reads the stored ranges a container reader hands
// it on a ThreadPool while the reader goes on, and writes every extent to its
// ExtentSink in the order the reader made the calls: the reads of the input
// overlap the writes of the output. It writes the same extents and returns
// the same first error as SerialUnitSink, which defines the result. Memory is
// bounded: at most `max_pending_bytes` of units and data wait at once.
// ParallelUnits is the UnitRunner to put in DecodeOptions. Used by `imagelib
// convert`; one sink per decode, called from one thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "parallel/thread_pool.h"
#include "reference/formats/decode_unit.h"

namespace imagelib::parallel {

inline constexpr std::uint64_t kDefaultMaxPendingBytes = 16 * 1024 * 1024;

class OrderedUnitSink final : public UnitSink {
 public:
  OrderedUnitSink(ThreadPool& pool, ExtentSink& out,
                  std::uint64_t max_pending_bytes = kDefaultMaxPendingBytes)
      : pool_(pool), out_(out), max_pending_bytes_(max_pending_bytes) {}

  Status write_data(std::uint64_t offset, ByteView data) override;
  Status write_zero(std::uint64_t offset, std::uint64_t length) override;
  Status write_unit(CompressedUnit unit) override;
  Status write_stored(const RandomAccessSource& in, std::uint64_t host, std::uint64_t guest,
                      std::uint64_t length) override;
  Status finish() override;
  // Waits for every task still on the pool (they may read the source).
  ~OrderedUnitSink() override;

 private:
  // A unit being decoded, or a stored range being read, on the pool; shared
  // with its task. Its extent is the first `length` bytes of `bytes` at
  // `guest`.
  struct Decoding {
    std::uint64_t guest = 0;
    std::uint64_t length = 0;
    std::mutex mutex;
    std::condition_variable done_signal;
    bool done = false;
    Status status;
    Bytes bytes;
  };
  // One call waiting for the units before it.
  struct Pending {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
    Bytes data;                          // a data extent (copied)
    bool zero = false;                   // a zero extent
    std::shared_ptr<Decoding> decoding;  // a unit or a stored range
    std::uint64_t bytes_held = 0;
    bool reuse_buffer = false;  // a stored range's buffer, kept for the next
  };

  // Writes the oldest pending call, waiting for its unit if `wait`; returns
  // false (and writes nothing) when its unit is not done and `wait` is not.
  bool write_oldest(bool wait);
  // Writes the calls whose turn has come, then waits until the pending bytes
  // are within bounds.
  void make_room();
  void record(Status status);
  // Puts `decoding` in line and runs `task` (which fills it) on the pool.
  void submit(std::shared_ptr<Decoding> decoding, std::uint64_t bytes_held, bool reuse_buffer,
              std::function<Status(Decoding&)> task);

  ThreadPool& pool_;
  ExtentSink& out_;
  std::uint64_t max_pending_bytes_;
  std::deque<Pending> pending_;
  std::uint64_t pending_bytes_ = 0;
  Status error_;  // the first error, in call order
  // Buffers of written stored ranges, reused: a fresh multi-MiB buffer per
  // range costs more in page faults than the read itself.
  std::vector<Bytes> spare_buffers_;
  std::uint64_t spare_bytes_ = 0;  // their capacity, at most max_pending_bytes_
};

class ParallelUnits final : public UnitRunner {
 public:
  explicit ParallelUnits(ThreadPool& pool, std::uint64_t max_pending_bytes = kDefaultMaxPendingBytes)
      : pool_(pool), max_pending_bytes_(max_pending_bytes) {}
  std::unique_ptr<UnitSink> sink_for(ExtentSink& out) const override {
    return std::make_unique<OrderedUnitSink>(pool_, out, max_pending_bytes_);
  }

 private:
  ThreadPool& pool_;
  std::uint64_t max_pending_bytes_;
};

}  // namespace imagelib::parallel
