// inspect_image: what `imagelib inspect` reports about a file: the format the
// probe names, the safety verdict with its reason, and for a safe file its
// virtual size, disk size, SHA-256 and (qcow2) cluster size and compression
// codec. Decodes the whole file without keeping the disk. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "reference/formats/decode.h"

namespace imagelib {

struct ImageReport {
  std::string format;        // "qcow2", "raw+gzip", ...; "unknown" when the probe refused
  bool safe = false;
  std::string reason;        // why it is refused; empty when safe
  std::uint64_t virtual_size = 0;
  std::uint64_t disk_size = 0;
  std::string sha256;
  std::optional<std::uint64_t> cluster_size;  // qcow2 only
  std::string compression;   // "gzip" etc. for a wrapper, "zlib"/"zstd" for qcow2, else "none"
};

ImageReport inspect_image(const RandomAccessSource& file, const DecodeLimits& limits);

}  // namespace imagelib
