// The benchmark image set for the Google Benchmark binaries: one reproducible
// raw disk (half zero runs, a quarter random, a quarter text-like) and every
// format made from it, generated once by bench/bench_images.py into a cache
// directory. Size from IMAGELIB_BENCH_SIZE (bytes or K/M/G, default 1G; 64M
// makes a quick run), cache from IMAGELIB_BENCH_DATA (default
// <build>/bench-data). Also scratch space for outputs (tmpfs when there is
// one). Benchmarks only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "reference/base/status.h"

namespace imagelib::bench {

struct BenchFile {
  std::string path;
  std::uint64_t bytes = 0;
};

struct BenchImages {
  std::uint64_t virtual_size = 0;
  std::map<std::string, BenchFile> files;  // by format name: "raw", "qcow2", "gzip", ...
};

// The set for the configured size, made first if the cache has none; the
// same object on every call.
const Result<BenchImages>& bench_images();

// A fresh directory for outputs, removed with its content at exit.
const std::string& scratch_directory();

// The source tree's root (scenarios/, bench/).
std::string source_directory();

}  // namespace imagelib::bench
