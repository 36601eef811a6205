// A Decompressor that decodes ahead of its reader: while the caller writes
// out one piece of the output, a ThreadPool task already decodes the next
// into another buffer, so a single-threaded codec (gzip, zstd) and the
// writing of the disk share the machine's cores. It hands out the wrapped
// decompressor's bytes and then its status, exactly; at most `pieces`
// buffers of `piece_bytes` exist. Used by `imagelib convert` through
// ParallelDecompressors; one reader thread per decompressor.
#pragma once

#include <cstddef>
#include <memory>

#include "parallel/thread_pool.h"
#include "reference/formats/decompress.h"

namespace imagelib::parallel {

struct ReadAhead {
  std::size_t piece_bytes = 4 * 1024 * 1024;
  std::size_t pieces = 2;  // at least 2: one being read, one being filled
};

std::unique_ptr<Decompressor> read_ahead(ThreadPool& pool, std::unique_ptr<Decompressor> inner,
                                         const ReadAhead& shape = {});

}  // namespace imagelib::parallel
