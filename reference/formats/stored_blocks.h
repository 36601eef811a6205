// Helpers shared by the container readers (vmdk, vdi, vpc, vhdx) for the
// blocks their allocation tables point at. Refusing two table entries that
// share stored bytes bounds the data a reader emits by the size of its
// input: without it a small file can map one block onto a whole disk (an
// amplification bomb) and make decoding take time out of proportion to the
// upload. Pure functions; any reader may call them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "reference/base/bytes.h"
#include "reference/base/status.h"
#include "reference/formats/decode.h"
#include "reference/formats/decode_unit.h"

namespace imagelib {

// kBadImage naming `what` unless every range [start, start + length) is
// disjoint from the others. Sorts `starts`.
Status check_blocks_disjoint(std::vector<std::uint64_t>& starts, std::uint64_t length,
                             std::string_view format, std::string_view what);

// The length of the part of a `block_size` block at guest offset
// `block_start` that lies inside a disk of `virtual_size` bytes.
std::uint64_t bytes_in_disk(std::uint64_t block_start, std::uint64_t block_size,
                            std::uint64_t virtual_size);

// kBadImage unless `virtual_size` is within `limits`.
Status check_virtual_size(std::uint64_t virtual_size, const DecodeLimits& limits,
                          std::string_view format);

// Hands `length` stored bytes at `file_offset` to guest offset
// `guest_offset` of `out`, in UnitSink::write_stored pieces of at most
// kMaxStoredRead bytes (the sink reads them, maybe on other threads);
// kBadImage naming `what` when the range lies outside the file.
Status copy_stored_bytes(const RandomAccessSource& in, std::uint64_t file_offset,
                         std::uint64_t guest_offset, std::uint64_t length, UnitSink& out,
                         std::string_view format, std::string_view what);

}  // namespace imagelib
