// The qcow2 header (docs/interop/qcow2.txt), read and checked against every
// rule that keeps decoding safe: version 2 or 3, cluster_bits 9-21, no
// backing file, no external data file, no encryption, no unknown
// incompatible feature and not marked corrupt, virtual size under the cap,
// L1 table at most 32 MiB and covering the disk, refcount table at most
// 8 MiB, every table cluster-aligned and inside the file, header extensions
// inside cluster 0. Used by the qcow2 reader and by `imagelib inspect`.
#pragma once

#include <cstdint>

#include "reference/formats/container.h"

namespace imagelib {

inline constexpr std::uint32_t kQcow2Magic = 0x514649fb;  // offset 0: "QFI\xfb"

enum class Qcow2Compression : std::uint8_t { kZlib = 0, kZstd = 1 };

struct Qcow2Header {
  std::uint32_t version = 0;
  std::uint32_t cluster_bits = 0;
  std::uint64_t virtual_size = 0;
  std::uint32_t l1_size = 0;
  std::uint64_t l1_table_offset = 0;
  std::uint64_t refcount_table_offset = 0;
  std::uint32_t refcount_table_clusters = 0;
  std::uint64_t incompatible_features = 0;
  Qcow2Compression compression = Qcow2Compression::kZlib;
  bool extended_l2 = false;

  std::uint64_t cluster_size() const { return std::uint64_t{1} << cluster_bits; }
  // Bytes of one L2 entry: 8, or 16 with extended L2 (subclusters).
  std::uint64_t l2_entry_size() const { return extended_l2 ? 16 : 8; }
  std::uint64_t l2_entries() const { return cluster_size() / l2_entry_size(); }
};

// Reads and checks the header of `in`; kBadImage "qcow2: <reason>" otherwise.
Result<Qcow2Header> read_qcow2_header(const RandomAccessSource& in, const DecodeLimits& limits);

}  // namespace imagelib
