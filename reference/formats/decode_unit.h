// Independent units of decoding: a compressed qcow2 cluster or a compressed
// vmdk grain decodes to its bytes of the disk without reference to any other
// part of the file. Container readers hand such units to a UnitSink instead
// of decoding them in place, so that a caller outside reference/ (parallel/)
// may decode them on several threads. SerialUnitSink decodes each at once, in
// the order the reader hands them out: it is the definition, and a parallel
// sink must write the same extents and return the same first error.
// decode_unit is a pure function; a UnitDecoder is one thread's codec state.
#pragma once

#include <cstdint>
#include <memory>

#include "reference/base/bytes.h"
#include "reference/base/status.h"

namespace imagelib {

// The most bytes one UnitSink::write_stored call hands over.
inline constexpr std::uint64_t kMaxStoredRead = 4 * 1024 * 1024;

enum class UnitCodec : std::uint8_t { kQcow2Zlib, kQcow2Zstd, kVmdkGrain };

struct CompressedUnit {
  UnitCodec codec;
  std::uint64_t guest;     // disk offset of the unit's bytes
  std::uint64_t length;    // bytes of the disk the unit gives
  std::uint64_t capacity;  // bytes its codec may produce (a whole cluster or grain)
  std::uint64_t index;     // grain number, named in vmdk messages
  Bytes compressed;
};

// The codec state a thread reuses from unit to unit.
class UnitDecoder {
 public:
  UnitDecoder();
  ~UnitDecoder();
  UnitDecoder(const UnitDecoder&) = delete;
  UnitDecoder& operator=(const UnitDecoder&) = delete;

  // Decodes `unit` into `out` (unit.capacity bytes); its first unit.length
  // bytes are the disk's. kBadImage, worded as the reader words it, when the
  // unit is corrupt.
  Status decode(const CompressedUnit& unit, MutableByteView out);

 private:
  struct Codecs;
  std::unique_ptr<Codecs> codecs_;
};

// What a container reader writes to: extents, and units whose extents are
// written in the order the calls were made.
class UnitSink : public ExtentSink {
 public:
  virtual Status write_unit(CompressedUnit unit) = 0;
  // Guest [guest, guest + length) is host [host, host + length) of `in`, a
  // range the caller has bounds-checked; at most kMaxStoredRead bytes. `in`
  // must outlive finish(); a parallel sink may read it on other threads
  // (ParallelUnits needs a source whose read_at is safe to call at once from
  // several threads). A failed read is the error of this call, in order.
  virtual Status write_stored(const RandomAccessSource& in, std::uint64_t host,
                              std::uint64_t guest, std::uint64_t length) = 0;
  // Writes whatever is pending. Returns the first error, in the order of the
  // calls, of a unit or a write; the reader's own error comes after any such.
  virtual Status finish() = 0;
};

// Decodes each unit as it arrives.
class SerialUnitSink final : public UnitSink {
 public:
  explicit SerialUnitSink(ExtentSink& out) : out_(out) {}
  Status write_data(std::uint64_t offset, ByteView data) override {
    return out_.write_data(offset, data);
  }
  Status write_zero(std::uint64_t offset, std::uint64_t length) override {
    return out_.write_zero(offset, length);
  }
  Status write_unit(CompressedUnit unit) override;
  Status write_stored(const RandomAccessSource& in, std::uint64_t host, std::uint64_t guest,
                      std::uint64_t length) override;
  Status finish() override { return {}; }

 private:
  ExtentSink& out_;
  UnitDecoder decoder_;
  Bytes buffer_;
};

// Makes the UnitSink a decode writes through (DecodeOptions::units).
class UnitRunner {
 public:
  virtual ~UnitRunner() = default;
  virtual std::unique_ptr<UnitSink> sink_for(ExtentSink& out) const = 0;
};

}  // namespace imagelib
