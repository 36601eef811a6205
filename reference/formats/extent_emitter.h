// ExtentEmitter: what a container reader hands its mapping to. It merges
// guest-contiguous zero runs into one zero extent and guest- and
// host-contiguous data into one stored range (up to 4 MiB, read by the
// UnitSink: UnitSink::write_stored), then writes to it in ascending guest
// order. The caller has bounds-checked every host range against the source.
// Not thread-safe; one per decode.
#pragma once

#include <cstdint>

#include "reference/base/bytes.h"
#include "reference/formats/decode_unit.h"

namespace imagelib {

class ExtentEmitter {
 public:
  ExtentEmitter(const RandomAccessSource& in, UnitSink& out) : in_(in), out_(out) {}

  // Guest [guest, guest + length) reads zeros.
  Status zero(std::uint64_t guest, std::uint64_t length);
  // Guest [guest, guest + length) is host [host, host + length) of `in`.
  Status copy(std::uint64_t guest, std::uint64_t host, std::uint64_t length);
  // Guest [unit.guest, unit.guest + unit.length) is what `unit` decodes to.
  Status unit(CompressedUnit unit);
  // Writes whatever is pending; call once at the end.
  Status flush();

 private:
  enum class Pending : std::uint8_t { kNone, kZero, kCopy };

  Pending pending_ = Pending::kNone;
  std::uint64_t guest_ = 0;
  std::uint64_t host_ = 0;
  std::uint64_t length_ = 0;
  const RandomAccessSource& in_;
  UnitSink& out_;
};

}  // namespace imagelib
