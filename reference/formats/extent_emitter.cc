#include "reference/formats/extent_emitter.h"

#include <utility>

namespace imagelib {
namespace {

constexpr std::uint64_t kMaxCopy = kMaxStoredRead;

}  // namespace

Status ExtentEmitter::flush() {
  const Pending pending = pending_;
  pending_ = Pending::kNone;
  if (pending == Pending::kZero) return out_.write_zero(guest_, length_);
  if (pending == Pending::kCopy) return out_.write_stored(in_, host_, guest_, length_);
  return {};
}

Status ExtentEmitter::zero(std::uint64_t guest, std::uint64_t length) {
  if (length == 0) return {};
  if (pending_ == Pending::kZero && guest_ + length_ == guest) {
    length_ += length;
    return {};
  }
  IMAGELIB_RETURN_IF_ERROR(flush());
  pending_ = Pending::kZero;
  guest_ = guest;
  length_ = length;
  return {};
}

Status ExtentEmitter::copy(std::uint64_t guest, std::uint64_t host, std::uint64_t length) {
  if (length == 0) return {};
  if (pending_ == Pending::kCopy && guest_ + length_ == guest && host_ + length_ == host &&
      length_ + length <= kMaxCopy) {
    length_ += length;
    return {};
  }
  IMAGELIB_RETURN_IF_ERROR(flush());
  // A single range longer than the chunk is read in chunk-sized pieces.
  while (length > kMaxCopy) {
    pending_ = Pending::kCopy;
    guest_ = guest;
    host_ = host;
    length_ = kMaxCopy;
    IMAGELIB_RETURN_IF_ERROR(flush());
    guest += kMaxCopy;
    host += kMaxCopy;
    length -= kMaxCopy;
  }
  pending_ = Pending::kCopy;
  guest_ = guest;
  host_ = host;
  length_ = length;
  return {};
}

Status ExtentEmitter::unit(CompressedUnit unit) {
  IMAGELIB_RETURN_IF_ERROR(flush());
  return out_.write_unit(std::move(unit));
}

}  // namespace imagelib
