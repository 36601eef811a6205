// Encoding the benchmark raw disk (bench_data.h) as a qcow2, plain and with
// deflate-compressed clusters, as `imagelib convert -O qcow2 [-c]` does
// (write_qcow2_file into a file on tmpfs). Counter: bytes per second of
// virtual disk. Run: IMAGELIB_BENCH_SIZE=64M build/bench/encode_bench
#include <benchmark/benchmark.h>

#include <filesystem>

#include "bench/bench_data.h"
#include "reference/formats/convert.h"
#include "tools/file_blob.h"

namespace imagelib::bench {
namespace {

void encode_qcow2(benchmark::State& state, bool compress) {
  const Result<BenchImages>& images = bench_images();
  if (!images.ok()) {
    state.SkipWithError(images.status().to_string().c_str());
    return;
  }
  auto source = cli::FileSource::open(images->files.at("raw").path);
  if (!source.ok()) {
    state.SkipWithError(source.status().to_string().c_str());
    return;
  }
  const std::string output = scratch_directory() + "/encoded.qcow2";
  std::uint64_t written = 0;
  for (auto _ : state) {
    auto out = cli::FileBlob::create(output);
    if (!out.ok()) {
      state.SkipWithError(out.status().to_string().c_str());
      return;
    }
    const auto encoded = write_qcow2_file(*source, *out, Qcow2WriteOptions{.compress = compress}, DecodeLimits{});
    if (!encoded.ok()) {
      state.SkipWithError(encoded.status().to_string().c_str());
      return;
    }
    written = out->size();
  }
  std::filesystem::remove(output);
  state.counters["virtual_B/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * static_cast<double>(images->virtual_size),
      benchmark::Counter::kIsRate);
  state.counters["qcow2_bytes"] = static_cast<double>(written);
}

void BM_EncodeQcow2(benchmark::State& state) { encode_qcow2(state, false); }
void BM_EncodeQcow2Compressed(benchmark::State& state) { encode_qcow2(state, true); }

BENCHMARK(BM_EncodeQcow2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_EncodeQcow2Compressed)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace imagelib::bench

BENCHMARK_MAIN();
