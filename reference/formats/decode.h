// decode_image: what registration and snapshots call to turn an uploaded file
// into the raw disk it describes: probe (probe.h), safety checks and decoding
// through the format's reader (registry.h) into the disk, its SHA-256 and its
// count of non-zero blocks, in one pass. Pure: reads `file`, writes `disk`.
#pragma once

#include <cstdint>
#include <string>

#include "reference/base/blob.h"
#include "reference/base/status.h"

namespace imagelib {

class DecompressorFactory;  // decompress.h
class UnitRunner;           // decode_unit.h

struct DecodeLimits {
  std::uint64_t max_virtual_size = 2 * kTiB;
  // Ceiling on the bytes a compression wrapper may expand to (a compressed
  // raw disk is also held to max_virtual_size): the cap plus room for a
  // container's metadata.
  std::uint64_t max_decompressed_size = 2 * kTiB + 64 * kGiB;
};

struct DecodedImage {
  std::string format;          // what the probe found: "raw", "qcow2", "raw+gzip", ...
  std::uint64_t virtual_size;  // bytes of the raw disk
  std::uint64_t disk_size;     // bytes of the raw disk's non-zero 4 KiB blocks
  std::string sha256;          // of the raw disk, lowercase hex
};

// What a decode computes besides the disk itself.
struct DecodeOptions {
  // The SHA-256 and disk_size of the disk. Registration needs them; a
  // conversion does not, and skips a pass over every byte of the disk (then
  // sha256 is empty and disk_size 0).
  bool digests = true;
  // Makes the sink container readers (and the raw decode) hand compressed
  // units and stored ranges to (null: SerialUnitSink, each decoded or read as
  // it comes). parallel/ supplies one that decodes and reads them on several
  // threads with the same result.
  const UnitRunner* units = nullptr;
  // Opens the decompressor of a compressed file (null: open_decompressor).
  const DecompressorFactory* decompressors = nullptr;
};

// Probes `file`, checks it is safe and decodes it into `disk` (an empty blob).
// A rejected file gives kBadImage with a one-line reason.
Result<DecodedImage> decode_image(const RandomAccessSource& file, Blob& disk,
                                  const DecodeLimits& limits);

// As decode_image, but the decoded disk goes to `out` as data and zero
// extents in ascending order (the caller sizes its output to virtual_size).
Result<DecodedImage> decode_to_sink(const RandomAccessSource& file, ExtentSink& out,
                                    const DecodeLimits& limits, const DecodeOptions& options = {});

// Copies a file known to be a raw disk (a server's disk being snapshotted)
// into `disk` without probing it: its content is never taken for another
// format.
Result<DecodedImage> decode_raw_disk(const RandomAccessSource& file, Blob& disk,
                                     const DecodeLimits& limits);

}  // namespace imagelib
