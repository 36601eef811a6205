#include "parallel/bzip2_decompressor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <utility>

#include "parallel/bzip2_block_decoder.h"
#include "parallel/read_ahead_decompressor.h"
#include "parallel/xz_decompressor.h"
#include "reference/formats/container.h"

namespace imagelib::parallel {
namespace {

using State = Bzip2BlockDecoder::State;

constexpr std::size_t kReadChunk = 1024 * 1024;
// A decoder is given the file to this many bits past its end magic (the
// block magic, the 8 bits a whole magic read after it may need, the CRC).
constexpr std::uint64_t kBitsPastEnd = 64;
constexpr std::uint64_t kHeaderBytes = 4;  // "BZh" + level

bool is_stream_header(ByteView bytes) {
  return bytes.size() >= kHeaderBytes && bytes[0] == 'B' && bytes[1] == 'Z' && bytes[2] == 'h' &&
         bytes[3] >= '1' && bytes[3] <= '9';
}

// A block decoded ahead on the pool. The task owns `decoder`, `output` and
// `state` until it sets `parked`; the reader owns them after.
struct Block {
  Block(char block_level, std::unique_ptr<Bzip2BlockDecoder> block_decoder)
      : level(block_level), start(block_decoder->start()), decoder(std::move(block_decoder)) {}

  const char level;
  const std::uint64_t start;  // the bit of its magic
  std::unique_ptr<Bzip2BlockDecoder> decoder;
  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  std::condition_variable parked_signal;
  bool parked = false;
  std::unique_ptr<std::uint8_t[]> output;  // not zeroed first: it is written before read
  std::size_t output_size = 0;
  std::size_t handed = 0;  // bytes of `output` handed to the reader
  State state = State::kOutput;
};

// Decodes until the block is done, fails, needs another end, or its output
// fills `buffer_bytes`.
void decode_ahead(Block& block, std::size_t buffer_bytes) {
  std::unique_ptr<std::uint8_t[]> output(new std::uint8_t[buffer_bytes]);
  std::size_t filled = 0;
  State state = State::kOutput;
  while (filled < buffer_bytes && !block.cancelled.load(std::memory_order_relaxed)) {
    const auto step =
        block.decoder->decode(MutableByteView(output.get() + filled, buffer_bytes - filled));
    state = step.state;
    if (state == State::kFailed) break;
    filled += step.produced;
    if (state != State::kOutput) break;
  }
  std::lock_guard lock(block.mutex);
  block.output = std::move(output);
  block.output_size = filled;
  block.state = state;
  block.parked = true;
  block.parked_signal.notify_all();
}

void wait_parked(Block& block) {
  std::unique_lock lock(block.mutex);
  block.parked_signal.wait(lock, [&block] { return block.parked; });
}

std::uint32_t rotate_left(std::uint32_t crc) { return crc << 1 | crc >> 31; }

class ParallelBzip2Decompressor final : public Decompressor {
 public:
  ParallelBzip2Decompressor(ThreadPool& pool, const RandomAccessSource& in,
                            std::uint64_t max_output, const Bzip2Pipeline& pipeline)
      : pool_(pool),
        in_(in),
        max_output_(max_output),
        blocks_in_flight_(pipeline.blocks_in_flight != 0 ? pipeline.blocks_in_flight
                                                         : 2 * pool.size() + 1),
        buffer_bytes_(std::max<std::size_t>(pipeline.block_buffer_bytes, 1)) {}

  ~ParallelBzip2Decompressor() override { cancel_all(); }
  ParallelBzip2Decompressor(const ParallelBzip2Decompressor&) = delete;
  ParallelBzip2Decompressor& operator=(const ParallelBzip2Decompressor&) = delete;

  Result<std::size_t> read(MutableByteView out) override;
  // The bytes handed out by reads that succeeded.
  std::uint64_t produced() const override { return produced_; }

 private:
  // The reader's side. Each bool is false when the serial decoder must take
  // over from here.
  bool start();
  bool read_more(bool& at_end);
  bool fill_pipeline();
  bool take_head();
  bool finish_head();
  bool end_stream(std::uint64_t end_bit);
  bool extend_head();
  Result<std::size_t> hand_over(MutableByteView out, std::size_t filled);
  void cancel_all();

  std::uint64_t window_end() const { return window_offset_ + window_.size(); }
  bool at_file_end() const { return window_end() >= in_.size(); }
  // Reads until the window holds the file up to byte `end` (or its end).
  bool read_to(std::uint64_t end);
  ByteView window_bytes(std::uint64_t from, std::uint64_t to) const;
  // The first magic found at or after `bit`, scanning on as needed; null
  // when there is none.
  const Bzip2Magic* magic_from(std::uint64_t bit);
  std::shared_ptr<Block> make_block(const Bzip2Magic& start, const Bzip2Magic& end,
                                    char level) const;

  ThreadPool& pool_;
  const RandomAccessSource& in_;
  const std::uint64_t max_output_;
  const std::size_t blocks_in_flight_;
  const std::size_t buffer_bytes_;
  std::uint64_t produced_ = 0;

  // The file from byte window_offset_, scanned for magics before bit
  // scanned_bit_; those from the chain's position on are in magics_.
  Bytes window_;
  std::uint64_t window_offset_ = 0;
  std::uint64_t scanned_bit_ = 0;
  std::deque<Bzip2Magic> magics_;
  std::size_t next_candidate_ = 0;  // index in magics_ of the next block to decode ahead
  char candidate_level_ = '9';      // the level of the stream it lies in (a guess)
  std::deque<std::shared_ptr<Block>> ahead_;

  // Where the serial decoder would be: the next block's magic, its stream's
  // level and the combined CRC of the stream's blocks so far.
  bool started_ = false;
  std::uint64_t next_start_ = 0;
  char level_ = '9';
  std::uint32_t combined_crc_ = 0;
  std::shared_ptr<Block> head_;  // the block being handed out
  bool ended_ = false;

  std::unique_ptr<Decompressor> serial_;
};

ByteView ParallelBzip2Decompressor::window_bytes(std::uint64_t from, std::uint64_t to) const {
  from = std::clamp(from, window_offset_, window_end());
  to = std::clamp(to, from, window_end());
  return ByteView(window_).subspan(static_cast<std::size_t>(from - window_offset_),
                                   static_cast<std::size_t>(to - from));
}

bool ParallelBzip2Decompressor::read_more(bool& at_end) {
  at_end = at_file_end();
  if (at_end) return true;
  // Keep the file from the chain's position and the next block to start.
  std::uint64_t keep_bit = next_start_;
  if (next_candidate_ < magics_.size()) keep_bit = std::min(keep_bit, magics_[next_candidate_].bit);
  while (!magics_.empty() && magics_.front().bit < keep_bit && next_candidate_ > 0) {
    magics_.pop_front();
    --next_candidate_;
  }
  const std::uint64_t keep = std::max(window_offset_, keep_bit / 8);
  window_.erase(window_.begin(),
                window_.begin() + static_cast<std::ptrdiff_t>(keep - window_offset_));
  window_offset_ = keep;

  const std::size_t old_size = window_.size();
  const auto n =
      static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, in_.size() - window_end()));
  window_.resize(old_size + n);
  if (!in_.read_at(window_offset_ + old_size, MutableByteView(window_).subspan(old_size)).ok()) {
    window_.resize(old_size);
    return false;
  }
  std::vector<Bzip2Magic> found;
  find_bzip2_magics(window_, window_offset_ * 8, scanned_bit_, found);
  magics_.insert(magics_.end(), found.begin(), found.end());
  const std::uint64_t end_bit = window_end() * 8;
  if (end_bit >= kBzip2MagicBits)
    scanned_bit_ = std::max(scanned_bit_, end_bit - kBzip2MagicBits + 1);
  return true;
}

bool ParallelBzip2Decompressor::read_to(std::uint64_t end) {
  while (window_end() < end) {
    bool at_end = false;
    if (!read_more(at_end)) return false;
    if (at_end) return true;
  }
  return true;
}

const Bzip2Magic* ParallelBzip2Decompressor::magic_from(std::uint64_t bit) {
  for (;;) {
    auto it = std::lower_bound(magics_.begin(), magics_.end(), bit,
                               [](const Bzip2Magic& m, std::uint64_t b) { return m.bit < b; });
    if (it != magics_.end()) return &*it;
    bool at_end = false;
    if (!read_more(at_end) || at_end) return nullptr;
  }
}

std::shared_ptr<Block> ParallelBzip2Decompressor::make_block(const Bzip2Magic& start,
                                                             const Bzip2Magic& end,
                                                             char level) const {
  const ByteView bytes = window_bytes(start.bit / 8, (end.bit + kBitsPastEnd) / 8 + 1);
  return std::make_shared<Block>(
      level, std::make_unique<Bzip2BlockDecoder>(level, start.bit,
                                                 Bytes(bytes.begin(), bytes.end()), end));
}

bool ParallelBzip2Decompressor::start() {
  started_ = true;
  if (!read_to(kHeaderBytes)) return false;
  const ByteView header = window_bytes(0, kHeaderBytes);
  if (!is_stream_header(header)) return false;
  level_ = candidate_level_ = static_cast<char>(header[3]);
  next_start_ = kHeaderBytes * 8;
  return true;
}

bool ParallelBzip2Decompressor::fill_pipeline() {
  while (ahead_.size() < blocks_in_flight_) {
    if (next_candidate_ + 1 >= magics_.size()) {
      bool at_end = false;
      if (!read_more(at_end)) return false;
      if (at_end) return true;
      continue;
    }
    const Bzip2Magic magic = magics_[next_candidate_];
    if (magic.bit < next_start_) {  // the chain is past it
      candidate_level_ = level_;
      ++next_candidate_;
      continue;
    }
    if (magic.end) {
      // The level of the stream that follows, if one does.
      const std::uint64_t header = (magic.bit + kBzip2MagicBits + 32 + 7) / 8;
      if (!read_to(header + kHeaderBytes)) return false;
      const ByteView bytes = window_bytes(header, header + kHeaderBytes);
      if (is_stream_header(bytes)) candidate_level_ = static_cast<char>(bytes[3]);
      ++next_candidate_;
      continue;
    }
    const Bzip2Magic end = magics_[next_candidate_ + 1];
    if (!read_to((end.bit + kBitsPastEnd) / 8 + 1)) return false;
    auto block = make_block(magic, end, candidate_level_);
    ++next_candidate_;
    ahead_.push_back(block);
    pool_.submit([block, bytes = buffer_bytes_] { decode_ahead(*block, bytes); });
  }
  return true;
}

bool ParallelBzip2Decompressor::take_head() {
  if (!started_ && !start()) return false;
  if (!fill_pipeline()) return false;
  while (!ahead_.empty() && ahead_.front()->start < next_start_) {  // begun at a false magic
    ahead_.front()->cancelled = true;
    ahead_.pop_front();
  }
  if (!ahead_.empty() && ahead_.front()->start == next_start_ && ahead_.front()->level == level_) {
    head_ = ahead_.front();
    ahead_.pop_front();
    wait_parked(*head_);
    return true;
  }
  // Not decoded ahead (a stream with no block, a level guessed wrong, the
  // file's end): the magic must be where the chain is.
  const Bzip2Magic* magic = magic_from(next_start_);
  if (magic == nullptr || magic->bit != next_start_) return false;
  if (magic->end) return end_stream(magic->bit);
  const Bzip2Magic start = *magic;
  const Bzip2Magic* end = magic_from(start.bit + 1);
  if (end == nullptr) return false;
  const Bzip2Magic end_copy = *end;
  if (!read_to((end_copy.bit + kBitsPastEnd) / 8 + 1)) return false;
  head_ = make_block(start, end_copy, level_);
  head_->parked = true;
  return true;
}

bool ParallelBzip2Decompressor::finish_head() {
  const Bzip2Magic end = head_->decoder->end();
  combined_crc_ = rotate_left(combined_crc_) ^ head_->decoder->stored_crc();
  head_.reset();
  if (end.end) return end_stream(end.bit);
  next_start_ = end.bit;
  return true;
}

bool ParallelBzip2Decompressor::end_stream(std::uint64_t end_bit) {
  const std::uint64_t crc_end = end_bit + kBzip2MagicBits + 32;
  if (!read_to(crc_end / 8 + 1 + kHeaderBytes)) return false;
  if (window_end() * 8 < crc_end) return false;  // truncated
  const ByteView crc_bytes = window_bytes(end_bit / 8, crc_end / 8 + 1);
  const auto stored =
      static_cast<std::uint32_t>(read_bits(crc_bytes, end_bit % 8 + kBzip2MagicBits, 32));
  if (stored != combined_crc_) return false;
  const std::uint64_t next = (crc_end + 7) / 8;
  if (next == in_.size()) {
    ended_ = true;
    return true;
  }
  const ByteView header = window_bytes(next, next + kHeaderBytes);
  if (is_stream_header(header)) {
    level_ = static_cast<char>(header[3]);
    combined_crc_ = 0;
    next_start_ = (next + kHeaderBytes) * 8;
    return true;
  }
  // Zero padding to the end of the file, as the serial decoder accepts it.
  Bytes chunk;
  for (std::uint64_t offset = next; offset < in_.size(); offset += kReadChunk) {
    chunk.resize(
        static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, in_.size() - offset)));
    if (!in_.read_at(offset, chunk).ok() || !is_all_zero(chunk)) return false;
  }
  ended_ = true;
  return true;
}

bool ParallelBzip2Decompressor::extend_head() {
  Bzip2BlockDecoder& decoder = *head_->decoder;
  const Bzip2Magic* next = magic_from(decoder.end().bit + 1);
  if (next == nullptr) return false;
  const Bzip2Magic end = *next;
  if (!read_to((end.bit + kBitsPastEnd) / 8 + 1)) return false;
  const std::uint64_t held_to = decoder.start() / 8 + decoder.bytes_held();
  decoder.add_end(end, window_bytes(held_to, (end.bit + kBitsPastEnd) / 8 + 1));
  return true;
}

void ParallelBzip2Decompressor::cancel_all() {
  for (auto& block : ahead_) block->cancelled = true;
  ahead_.clear();
  head_.reset();
}

Result<std::size_t> ParallelBzip2Decompressor::hand_over(MutableByteView out, std::size_t filled) {
  cancel_all();
  serial_ = open_decompressor(Compression::kBzip2, in_, max_output_);
  // It gives the bytes handed out so far again: skip them.
  const std::uint64_t skip = produced_ + filled;
  Bytes scratch(static_cast<std::size_t>(std::min<std::uint64_t>(skip, kReadChunk)));
  for (std::uint64_t skipped = 0; skipped < skip;) {
    const auto piece =
        static_cast<std::size_t>(std::min<std::uint64_t>(scratch.size(), skip - skipped));
    auto n = serial_->read(MutableByteView(scratch).first(piece));
    if (!n.ok()) return n.status();
    if (*n == 0) return bad_image("bzip2", "the stream ended early when decoded again");
    skipped += *n;
  }
  auto rest = serial_->read(out.subspan(filled));
  if (!rest.ok()) return rest.status();
  produced_ += filled + *rest;
  return filled + *rest;
}

Result<std::size_t> ParallelBzip2Decompressor::read(MutableByteView out) {
  if (serial_ != nullptr) {
    auto n = serial_->read(out);
    if (n.ok()) produced_ += *n;
    return n;
  }
  std::size_t filled = 0;
  while (filled < out.size() && !ended_) {
    if (head_ == nullptr) {
      if (!take_head()) return hand_over(out, filled);
      continue;
    }
    Block& block = *head_;
    // Never past the limit: the serial decoder says what happens there.
    const auto room = static_cast<std::size_t>(
        std::min<std::uint64_t>(out.size() - filled, max_output_ - produced_ - filled));
    if (block.handed < block.output_size) {
      if (room == 0) return hand_over(out, filled);
      const std::size_t n = std::min(room, block.output_size - block.handed);
      std::memcpy(out.data() + filled, block.output.get() + block.handed, n);
      block.handed += n;
      filled += n;
      if (block.handed == block.output_size) block.output.reset();
      continue;
    }
    switch (block.state) {
      case State::kDone:
        if (!finish_head()) return hand_over(out, filled);
        break;
      case State::kFailed:
        return hand_over(out, filled);
      case State::kNeedsEnd:
        if (!extend_head()) return hand_over(out, filled);
        block.state = State::kOutput;
        break;
      case State::kOutput: {
        if (room == 0) return hand_over(out, filled);
        const auto step = block.decoder->decode(out.subspan(filled, room));
        block.state = step.state;
        if (step.state != State::kFailed) filled += step.produced;
        break;
      }
    }
  }
  produced_ += filled;
  return filled;
}

}  // namespace

std::unique_ptr<Decompressor> open_parallel_bzip2(ThreadPool& pool, const RandomAccessSource& in,
                                                  std::uint64_t max_output,
                                                  const Bzip2Pipeline& pipeline) {
  return std::make_unique<ParallelBzip2Decompressor>(pool, in, max_output, pipeline);
}

std::unique_ptr<Decompressor> ParallelDecompressors::open(Compression compression,
                                                          const RandomAccessSource& in,
                                                          std::uint64_t max_output) const {
  if (compression == Compression::kBzip2)
    return open_parallel_bzip2(pool_, in, max_output, pipeline_);
  if (compression == Compression::kXz) {
    return open_parallel_xz({.threads = static_cast<std::uint32_t>(pool_.size())}, in, max_output);
  }
  return read_ahead(pool_, open_decompressor(compression, in, max_output));
}

}  // namespace imagelib::parallel
