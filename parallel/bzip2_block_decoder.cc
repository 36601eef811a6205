#include "parallel/bzip2_block_decoder.h"

#include <utility>

namespace imagelib::parallel {
namespace {

static_assert(bzip2_magics_never_overlap(8),
              "the end check below relies on no magic overlapping another by 40 bits or more");

constexpr std::size_t kHeaderBytes = 4;  // "BZh" + level
// Bits read past a block magic so that a magic read up to 8 bits after it
// would be whole.
constexpr std::uint64_t kBitsPastBlockMagic = kBzip2MagicBits + 8;

}  // namespace

Bzip2BlockDecoder::Bzip2BlockDecoder(char level, std::uint64_t start, Bytes bytes, Bzip2Magic end)
    : start_(start),
      bytes_(std::move(bytes)),
      ends_{end},
      stored_crc_(static_cast<std::uint32_t>(read_bits(bytes_, start % 8 + kBzip2MagicBits, 32))),
      wrapper_{'B', 'Z', 'h', static_cast<std::uint8_t>(level)} {
  open_ = BZ2_bzDecompressInit(&stream_, 0, 0) == BZ_OK;
  if (!open_) phase_ = Phase::kFailed;
}

Bzip2BlockDecoder::~Bzip2BlockDecoder() {
  if (open_) BZ2_bzDecompressEnd(&stream_);
}

void Bzip2BlockDecoder::add_end(Bzip2Magic end, ByteView more) {
  ends_.push_back(end);
  bytes_.insert(bytes_.end(), more.begin(), more.end());
}

std::size_t Bzip2BlockDecoder::symbols_limit() const {
  return static_cast<std::size_t>((kHeaderBytes * 8 + end().bit - start_) / 8 + 1);
}

bool Bzip2BlockDecoder::extend_wrapper(std::size_t limit) {
  if (limit <= wrapper_size()) return true;
  // Wrapper bit w holds bit w - 32 + start % 8 of bytes_.
  const std::uint64_t from = wrapper_size() * 8 - kHeaderBytes * 8 + start_ % 8;
  const std::uint64_t count = (limit - wrapper_size()) * 8;
  if (from + count > bytes_.size() * std::uint64_t{8}) return false;
  BitWriter(wrapper_).copy(bytes_, from, count);
  return true;
}

bool Bzip2BlockDecoder::append_trailer() {
  const std::uint64_t magic_at = kHeaderBytes * 8 + end().bit - start_;  // in the wrapper
  if (!end().end) {
    return extend_wrapper(static_cast<std::size_t>((magic_at + kBitsPastBlockMagic + 7) / 8));
  }
  const std::uint64_t from = wrapper_size() * 8 - kHeaderBytes * 8 + start_ % 8;
  const std::uint64_t count = magic_at + kBzip2MagicBits - wrapper_size() * 8;
  if (from + count > bytes_.size() * std::uint64_t{8}) return false;
  BitWriter writer(wrapper_);
  writer.copy(bytes_, from, count);
  writer.put(stored_crc_, 32);  // a one-block stream's combined CRC is its block's
  writer.put(0, static_cast<unsigned>((8 - writer.bits() % 8) % 8));
  return true;
}

int Bzip2BlockDecoder::run(MutableByteView out, std::size_t limit, std::size_t& produced) {
  stream_.next_in = reinterpret_cast<char*>(wrapper_.data() + (consumed_ - dropped_));
  stream_.avail_in = static_cast<unsigned int>(limit - consumed_);
  stream_.next_out = reinterpret_cast<char*>(out.data());
  stream_.avail_out = static_cast<unsigned int>(out.size());
  const int rc = BZ2_bzDecompress(&stream_);
  consumed_ = limit - stream_.avail_in;
  produced = out.size() - stream_.avail_out;
  return rc;
}

Bzip2BlockDecoder::Step Bzip2BlockDecoder::finish(Phase phase) {
  phase_ = phase;
  if (open_) BZ2_bzDecompressEnd(&stream_);
  open_ = false;
  Bytes().swap(bytes_);
  Bytes().swap(wrapper_);
  return {0, phase == Phase::kDone ? State::kDone : State::kFailed};
}

Bzip2BlockDecoder::Step Bzip2BlockDecoder::decode(MutableByteView out) {
  // libbz2 counts in unsigned int.
  if (out.size() > (std::size_t{1} << 30)) out = out.first(std::size_t{1} << 30);
  std::size_t produced = 0;
  for (;;) {
    switch (phase_) {
      case Phase::kSymbols: {
        const std::size_t limit = symbols_limit();
        if (!extend_wrapper(limit)) return finish(Phase::kFailed);
        if (run(out, limit, produced) != BZ_OK) return finish(Phase::kFailed);
        if (produced > 0) {
          // libbz2 holds the block now: keep only what it reads after it.
          if (!append_trailer()) return finish(Phase::kFailed);
          wrapper_.erase(wrapper_.begin(),
                         wrapper_.begin() + static_cast<std::ptrdiff_t>(consumed_ - dropped_));
          wrapper_.shrink_to_fit();
          dropped_ = consumed_;
          Bytes().swap(bytes_);
          phase_ = Phase::kOutput;
          return {produced, State::kOutput};
        }
        if (consumed_ < limit) return finish(Phase::kFailed);
        if (current_ + 1 < ends_.size()) {
          ++current_;
          continue;
        }
        return {0, State::kNeedsEnd};
      }
      case Phase::kOutput:
        if (run(out, symbols_limit(), produced) != BZ_OK) return finish(Phase::kFailed);
        if (produced > 0) return {produced, State::kOutput};
        // Nothing more with room to spare: the block is out, its CRC checked.
        phase_ = Phase::kTrailer;
        continue;
      case Phase::kTrailer: {
        const int rc = run(out, wrapper_size(), produced);
        const bool whole_magic_read =
            end().end ? rc == BZ_STREAM_END : rc == BZ_OK && consumed_ == wrapper_size();
        return finish(produced == 0 && whole_magic_read ? Phase::kDone : Phase::kFailed);
      }
      case Phase::kDone:
        return {0, State::kDone};
      case Phase::kFailed:
        return {0, State::kFailed};
    }
  }
}

}  // namespace imagelib::parallel
