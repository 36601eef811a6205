// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78): the checksum of
// VHDX's headers and of the records of serve's journal. Pure functions; uses
// the CPU's crc32 instruction where it has one, the same values either way.
#pragma once

#include <cstdint>

#include "reference/base/bytes.h"

namespace imagelib {

// The CRC-32C of `bytes`.
std::uint32_t crc32c(ByteView bytes);
// The CRC-32C of the bytes that gave `crc` followed by `bytes`:
// crc32c_extend(crc32c(a), b) == crc32c(a + b), and crc32c_extend(0, a) == crc32c(a).
std::uint32_t crc32c_extend(std::uint32_t crc, ByteView bytes);

}  // namespace imagelib
