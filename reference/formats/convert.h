// Conversions of an upload (any accepted format, probed and checked as
// decode_image does) into a file another tool can read: a sparse raw disk or
// a qcow2. The output Blob is written in one pass and must start empty. Used
// by `imagelib convert` and by snapshots.
#pragma once

#include "reference/base/blob.h"
#include "reference/formats/decode.h"
#include "reference/formats/qcow2_writer.h"

namespace imagelib {

// Writes the raw disk: only its non-zero 4 KiB blocks are written, the rest
// is left to the Blob's holes, and the Blob ends at the virtual size.
Result<DecodedImage> write_raw_file(const RandomAccessSource& file, Blob& out,
                                    const DecodeLimits& limits,
                                    const DecodeOptions& decode_options = {});

// Writes the disk as a qcow2 (qcow2_writer.h).
Result<DecodedImage> write_qcow2_file(const RandomAccessSource& file, Blob& out,
                                      const Qcow2WriteOptions& options,
                                      const DecodeLimits& limits,
                                      const DecodeOptions& decode_options = {});

}  // namespace imagelib
