#include "parallel/xz_decompressor.h"

#include "reference/formats/decompress_xz.h"

namespace imagelib::parallel {

std::unique_ptr<Decompressor> open_parallel_xz(const XzThreads& threads,
                                               const RandomAccessSource& in,
                                               std::uint64_t max_output) {
  const XzDecoderSetup multi_threaded = [threads](lzma_stream* stream) {
    lzma_mt options{};
    options.flags = LZMA_CONCATENATED;
    options.threads = threads.threads;
    options.timeout = 0;  // lzma_code waits for the threads: no busy loop
    options.memlimit_threading = threads.memory_for_threads;
    options.memlimit_stop = kXzMemoryLimit;
    return lzma_stream_decoder_mt(stream, &options);
  };
  return open_xz_decompressor_with(multi_threaded, in, max_output);
}

}  // namespace imagelib::parallel
