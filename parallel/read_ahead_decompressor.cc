#include "parallel/read_ahead_decompressor.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

namespace imagelib::parallel {
namespace {

// A buffer's worth of the wrapped decompressor's output, and how it ended.
struct Piece {
  Bytes bytes;
  std::size_t filled = 0;
  std::size_t taken = 0;  // handed out to the reader so far
  Status status;          // the wrapped read's error, after `filled` bytes
  bool at_end = false;    // the stream ended after `filled` bytes
};

class ReadAheadDecompressor final : public Decompressor {
 public:
  ReadAheadDecompressor(ThreadPool& pool, std::unique_ptr<Decompressor> inner, const ReadAhead& shape)
      : pool_(pool), inner_(std::move(inner)), shape_(shape) {
    std::lock_guard lock(mutex_);
    fill_more();
  }

  ~ReadAheadDecompressor() override {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    changed_.wait(lock, [this] { return !filling_; });
  }
  ReadAheadDecompressor(const ReadAheadDecompressor&) = delete;
  ReadAheadDecompressor& operator=(const ReadAheadDecompressor&) = delete;

  Result<std::size_t> read(MutableByteView out) override {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty(); });
    Piece& piece = ready_.front();
    const std::size_t n = std::min(out.size(), piece.filled - piece.taken);
    std::memcpy(out.data(), piece.bytes.data() + piece.taken, n);
    piece.taken += n;
    produced_ += n;
    if (n > 0 || out.empty()) return n;
    // This piece is handed out: its ending is the stream's.
    if (!piece.status.ok()) return piece.status;
    if (piece.at_end) return std::size_t{0};
    spare_.push_back(std::move(piece.bytes));
    ready_.pop_front();
    fill_more();
    lock.unlock();
    return read(out);
  }

  std::uint64_t produced() const override { return produced_; }

 private:
  // Starts filling the next piece when nothing is being filled and a buffer
  // is free (the filled pieces, the one being read among them, use the
  // others). Called with the mutex held.
  void fill_more() {
    if (filling_ || ended_ || stopping_ || ready_.size() >= std::max<std::size_t>(shape_.pieces, 2)) {
      return;
    }
    filling_ = true;
    Bytes buffer;
    if (spare_.empty()) {
      buffer.resize(shape_.piece_bytes);
    } else {
      buffer = std::move(spare_.back());
      spare_.pop_back();
    }
    pool_.submit([this, buffer = std::move(buffer)]() mutable { fill(std::move(buffer)); });
  }

  // On the pool: decodes into `buffer` until it is full or the stream ends or fails.
  void fill(Bytes buffer) {
    Piece piece;
    piece.bytes = std::move(buffer);
    while (piece.filled < piece.bytes.size()) {
      auto n = inner_->read(MutableByteView(piece.bytes).subspan(piece.filled));
      if (!n.ok()) {
        piece.status = n.status();
        break;
      }
      if (*n == 0) {
        piece.at_end = true;
        break;
      }
      piece.filled += *n;
    }
    std::lock_guard lock(mutex_);
    ended_ = !piece.status.ok() || piece.at_end;
    ready_.push_back(std::move(piece));
    filling_ = false;
    fill_more();
    changed_.notify_all();
  }

  ThreadPool& pool_;
  std::unique_ptr<Decompressor> inner_;
  ReadAhead shape_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Piece> ready_;  // filled pieces, oldest first
  std::vector<Bytes> spare_;
  bool filling_ = false;
  bool ended_ = false;
  bool stopping_ = false;
  std::uint64_t produced_ = 0;
};

}  // namespace

std::unique_ptr<Decompressor> read_ahead(ThreadPool& pool, std::unique_ptr<Decompressor> inner,
                                         const ReadAhead& shape) {
  return std::make_unique<ReadAheadDecompressor>(pool, std::move(inner), shape);
}

}  // namespace imagelib::parallel
