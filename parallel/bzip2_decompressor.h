// A bzip2 Decompressor (reference/formats/decompress.h) that decodes the
// blocks of a stream on a ThreadPool, as lbzip2 does: it scans the file for
// the block magics (at any bit), decodes each candidate block on its own
// (parallel/bzip2_block_decoder) while the caller reads, and hands the blocks
// out in order. Its bytes and errors are the serial decoder's: a block counts
// only when it starts where the one before ended (the first right after the
// stream header), the stream's combined CRC is checked, and on anything else
// (a corrupt or truncated block, a bad combined CRC, trailing data, a header
// it does not expect, the output limit) it hands the rest of the file to the
// serial decoder, which decodes from the start again, skips what was already
// handed out and gives what it gives. A false magic inside a block's data is
// no error: the block is decoded on to the next magic. Memory is bounded: at
// most `blocks_in_flight` blocks are decoded ahead, each holding at most
// `block_buffer_bytes` of output (a longer block goes on when its turn comes,
// decoded straight into the caller's buffer). Used by `imagelib convert`
// through ParallelDecompressors; one reader thread per decompressor.
#pragma once

#include <cstdint>
#include <memory>

#include "parallel/thread_pool.h"
#include "reference/formats/decompress.h"

namespace imagelib::parallel {

struct Bzip2Pipeline {
  std::size_t blocks_in_flight = 0;  // 0: two per thread of the pool, plus one
  std::size_t block_buffer_bytes = 2 * 1024 * 1024;
};

std::unique_ptr<Decompressor> open_parallel_bzip2(ThreadPool& pool, const RandomAccessSource& in,
                                                  std::uint64_t max_output,
                                                  const Bzip2Pipeline& pipeline = {});

// The DecompressorFactory to put in DecodeOptions: bzip2 on the pool, xz on
// liblzma's threads (as many as the pool has; parallel/xz_decompressor), and
// gzip and zstd, whose streams are one thread's work, read ahead on the pool
// while the caller writes (parallel/read_ahead_decompressor).
class ParallelDecompressors final : public DecompressorFactory {
 public:
  explicit ParallelDecompressors(ThreadPool& pool, const Bzip2Pipeline& pipeline = {})
      : pool_(pool), pipeline_(pipeline) {}
  std::unique_ptr<Decompressor> open(Compression compression, const RandomAccessSource& in,
                                     std::uint64_t max_output) const override;

 private:
  ThreadPool& pool_;
  Bzip2Pipeline pipeline_;
};

}  // namespace imagelib::parallel
