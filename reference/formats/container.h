// The contract every image format reader follows, and bounds-checked helpers
// for reading its structures. A reader reads `in` (never past in.size()) and
// writes the virtual disk to `out` as data and zero extents and independent
// compressed units (decode_unit.h) in ascending offset order, covering
// [0, virtual_size) exactly once; it returns the virtual size. The caller
// calls out.finish() afterwards, whose error comes before the reader's. Anything it refuses is Status(kBadImage, "<format>: <reason>").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "reference/base/blob.h"
#include "reference/formats/decode.h"
#include "reference/formats/decode_unit.h"

namespace imagelib {

struct ContainerFormat {
  std::string_view name;  // "qcow2", "vmdk", "vdi", "vpc", "vhdx", ...
  // True when the format's signature is present. Only signatures: the
  // dispatcher refuses a file that two formats claim.
  bool (*matches)(const RandomAccessSource& in);
  Result<std::uint64_t> (*decode)(const RandomAccessSource& in, UnitSink& out,
                                  const DecodeLimits& limits);
};

inline Status bad_image(std::string_view format, const std::string& reason) {
  return Status(ErrorCode::kBadImage, std::string(format) + ": " + reason);
}

// Reads exactly `length` bytes at `offset`; kBadImage naming `what` when the
// range lies outside the file.
Result<Bytes> read_bytes(const RandomAccessSource& in, std::uint64_t offset, std::uint64_t length,
                         std::string_view format, std::string_view what);

// Little- and big-endian loads from `data` at `offset`; the caller has checked
// that offset + width <= data.size().
std::uint16_t load_le16(ByteView data, std::size_t offset);
std::uint32_t load_le32(ByteView data, std::size_t offset);
std::uint64_t load_le64(ByteView data, std::size_t offset);
std::uint16_t load_be16(ByteView data, std::size_t offset);
std::uint32_t load_be32(ByteView data, std::size_t offset);
std::uint64_t load_be64(ByteView data, std::size_t offset);

// True when [offset, offset + length) lies inside a file of `file_size`
// bytes, without overflow.
bool fits_in(std::uint64_t offset, std::uint64_t length, std::uint64_t file_size);

}  // namespace imagelib
