// An xz Decompressor (reference/formats/decompress.h) that decodes the
// blocks of a multi-block stream (as `xz -T0` and `xz -T2` write them) on
// several threads: liblzma's own multi-threaded decoder, whose output and
// errors are the single-threaded decoder's (it is set up without
// LZMA_FAIL_FAST). A stream of one block decodes on one thread, as before.
// Memory: liblzma holds each block in flight whole, so it runs blocks on
// `threads` threads only while that fits in `memory_for_threads`, and on
// one thread beyond it. Used by `imagelib convert` through
// ParallelDecompressors; one reader thread per decompressor.
#pragma once

#include <cstdint>
#include <memory>

#include "reference/formats/decompress.h"

namespace imagelib::parallel {

struct XzThreads {
  std::uint32_t threads = 2;
  std::uint64_t memory_for_threads = 96ull * 1024 * 1024;
};

std::unique_ptr<Decompressor> open_parallel_xz(const XzThreads& threads,
                                               const RandomAccessSource& in,
                                               std::uint64_t max_output);

}  // namespace imagelib::parallel
