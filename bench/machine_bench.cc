// The machine's memory limit, for scale beside the comparisons (bench/compare
// reads it): memcpy between two 256 MiB buffers, and memset. Counter: bytes
// per second. Run: build/bench/machine_bench
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

namespace {

constexpr std::size_t kBuffer = 256u << 20;

void BM_Memcpy(benchmark::State& state) {
  std::vector<char> from(kBuffer, 1);
  std::vector<char> to(kBuffer, 0);
  for (auto _ : state) {
    std::memcpy(to.data(), from.data(), kBuffer);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kBuffer));
}

void BM_Memset(benchmark::State& state) {
  std::vector<char> to(kBuffer, 1);
  for (auto _ : state) {
    std::memset(to.data(), 0, kBuffer);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(kBuffer));
}

BENCHMARK(BM_Memcpy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memset)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
