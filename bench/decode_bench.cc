// Decoding each accepted format into a sparse raw disk file on tmpfs
// (write_raw_file: probe, checks, decode) with the default DecodeOptions, so
// with the SHA-256 and disk_size that registration computes (`imagelib
// convert` skips them; bench/compare times it), on the benchmark image set
// (bench_data.h).
// Counters: bytes per second of virtual disk and of input file.
// Run: IMAGELIB_BENCH_SIZE=64M build/bench/decode_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <filesystem>

#include "bench/bench_data.h"
#include "reference/formats/convert.h"
#include "tools/file_blob.h"

namespace imagelib::bench {
namespace {

constexpr const char* kFormats[] = {"raw",         "qcow2",       "qcow2-zlib", "qcow2-zstd", "vmdk-sparse",
                                    "vmdk-stream", "vdi",         "vpc",        "vhdx",       "gzip",
                                    "bzip2",       "xz",          "zstd"};

void decode_to_raw(benchmark::State& state, const std::string& format) {
  const Result<BenchImages>& images = bench_images();
  if (!images.ok()) {
    state.SkipWithError(images.status().to_string().c_str());
    return;
  }
  const BenchFile& file = images->files.at(format);
  auto source = cli::FileSource::open(file.path);
  if (!source.ok()) {
    state.SkipWithError(source.status().to_string().c_str());
    return;
  }
  const std::string output = scratch_directory() + "/decoded.raw";
  for (auto _ : state) {
    auto out = cli::FileBlob::create(output);
    if (!out.ok()) {
      state.SkipWithError(out.status().to_string().c_str());
      return;
    }
    const auto decoded = write_raw_file(*source, *out, DecodeLimits{});
    if (!decoded.ok()) {
      state.SkipWithError(decoded.status().to_string().c_str());
      return;
    }
    benchmark::DoNotOptimize(decoded->sha256.data());
  }
  std::filesystem::remove(output);
  const auto runs = static_cast<double>(state.iterations());
  state.counters["virtual_B/s"] =
      benchmark::Counter(runs * static_cast<double>(images->virtual_size), benchmark::Counter::kIsRate);
  state.counters["input_B/s"] =
      benchmark::Counter(runs * static_cast<double>(file.bytes), benchmark::Counter::kIsRate);
}

}  // namespace
}  // namespace imagelib::bench

int main(int argc, char** argv) {
  for (const char* format : imagelib::bench::kFormats) {
    benchmark::RegisterBenchmark((std::string("BM_DecodeToRaw/") + format).c_str(),
                                 imagelib::bench::decode_to_raw, std::string(format))
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
