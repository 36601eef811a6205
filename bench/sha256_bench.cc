// SHA-256 of a decoded disk, as registration computes it: the benchmark raw
// disk (bench_data.h) read in 1 MiB blocks, all-zero blocks hashed as zero
// runs (Sha256::update_zeros) without copying; and SHA-256 of bytes already in
// memory, the per-core ceiling. Counter: bytes per second of disk.
// Run: IMAGELIB_BENCH_SIZE=64M build/bench/sha256_bench
#include <benchmark/benchmark.h>

#include "bench/bench_data.h"
#include "reference/base/sha256.h"
#include "reference/formats/sinks.h"
#include "tools/file_blob.h"

namespace imagelib::bench {
namespace {

constexpr std::uint64_t kBlock = 1 << 20;

void BM_Sha256DecodedDisk(benchmark::State& state) {
  const Result<BenchImages>& images = bench_images();
  if (!images.ok()) {
    state.SkipWithError(images.status().to_string().c_str());
    return;
  }
  auto disk = cli::FileSource::open(images->files.at("raw").path);
  if (!disk.ok()) {
    state.SkipWithError(disk.status().to_string().c_str());
    return;
  }
  Bytes block(kBlock);
  for (auto _ : state) {
    Sha256 hash;
    for (std::uint64_t offset = 0; offset < disk->size(); offset += kBlock) {
      const std::uint64_t length = std::min(kBlock, disk->size() - offset);
      const MutableByteView view(block.data(), length);
      if (const Status read = disk->read_at(offset, view); !read.ok()) {
        state.SkipWithError(read.to_string().c_str());
        return;
      }
      if (block_is_zero(view)) {
        hash.update_zeros(length);
      } else {
        hash.update(view);
      }
    }
    benchmark::DoNotOptimize(hash.hex_digest());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(disk->size()));
}

void BM_Sha256InMemory(benchmark::State& state) {
  Bytes data(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 131 >> 3);
  for (auto _ : state) {
    Sha256 hash;
    hash.update(data);
    benchmark::DoNotOptimize(hash.hex_digest());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_Sha256DecodedDisk)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Sha256InMemory)->Arg(16 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace imagelib::bench

BENCHMARK_MAIN();
