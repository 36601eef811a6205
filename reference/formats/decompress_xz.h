// The xz decompressor with the liblzma decoder its caller sets up. The
// reference (open_decompressor) sets up liblzma's single-threaded decoder;
// parallel/xz_decompressor sets up liblzma's multi-threaded one, whose output
// and errors are the same byte for byte (liblzma's contract when
// LZMA_FAIL_FAST is not set). reference/ itself starts no thread.
#pragma once

#include <lzma.h>

#include <cstdint>
#include <functional>
#include <memory>

#include "reference/formats/decompress.h"

namespace imagelib {

// The most memory the decoder may need for its dictionaries: a header asking
// for more is refused as corrupt, not allocated.
inline constexpr std::uint64_t kXzMemoryLimit = 1024ull * 1024 * 1024;

// Initialises `stream` as a decoder of concatenated xz streams
// (LZMA_CONCATENATED) that refuses to use more than kXzMemoryLimit.
using XzDecoderSetup = std::function<lzma_ret(lzma_stream* stream)>;

std::unique_ptr<Decompressor> open_xz_decompressor_with(const XzDecoderSetup& setup,
                                                        const RandomAccessSource& in,
                                                        std::uint64_t max_output);

}  // namespace imagelib
