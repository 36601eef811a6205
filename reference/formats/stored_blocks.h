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

// Copies `length` stored bytes at `file_offset` to guest offset
// `guest_offset` of `out` in chunks of at most 4 MiB; kBadImage naming `what`
// when the range lies outside the file. When `out` is a UnitSink (as every
// reader's is) each chunk goes to UnitSink::write_stored, which reads it;
// otherwise it is read into `buffer`. The caller keeps `buffer` from call to
// call: a fresh multi-MiB buffer per block costs more in page faults than
// the copy itself (perf, 1 GiB vdi).
Status copy_stored_bytes(const RandomAccessSource& in, std::uint64_t file_offset,
                         std::uint64_t guest_offset, std::uint64_t length, ExtentSink& out,
                         std::string_view format, std::string_view what, Bytes& buffer);

}  // namespace imagelib
