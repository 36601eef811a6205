#include "bench/bench_data.h"

#include <stdio.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace imagelib::bench {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// Runs bench_images.py for the configured set; returns the directory it printed.
Result<std::string> make_or_find_set() {
  const std::string command = "python3 '" + source_directory() + "/bench/bench_images.py' --dir '" +
                              env_or("IMAGELIB_BENCH_DATA", IMAGELIB_BENCH_DATA_DEFAULT) +
                              "' --size '" + env_or("IMAGELIB_BENCH_SIZE", "1G") + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return Status(ErrorCode::kInternal, "cannot run " + command);
  std::string output;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  if (::pclose(pipe) != 0) return Status(ErrorCode::kInternal, "failed: " + command);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  const auto last_line = output.rfind('\n');
  return last_line == std::string::npos ? output : output.substr(last_line + 1);
}

Result<BenchImages> load_set() {
  auto directory = make_or_find_set();
  if (!directory.ok()) return directory.status();
  std::ifstream in(*directory + "/manifest.json");
  const nlohmann::json manifest = nlohmann::json::parse(in, nullptr, false);
  if (manifest.is_discarded()) return Status(ErrorCode::kInternal, "bad manifest in " + *directory);
  BenchImages images;
  images.virtual_size = manifest.at("size").get<std::uint64_t>();
  for (const auto& [name, entry] : manifest.at("files").items()) {
    images.files[name] = {*directory + "/" + entry.at("file").get<std::string>(),
                          entry.at("bytes").get<std::uint64_t>()};
  }
  return images;
}

class ScratchDirectory {
 public:
  ScratchDirectory() {
    const std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::string pattern = (base / "imagelib-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

const Result<BenchImages>& bench_images() {
  static const Result<BenchImages> images = load_set();
  return images;
}

const std::string& scratch_directory() {
  static const ScratchDirectory directory;
  return directory.path();
}

std::string source_directory() { return IMAGELIB_SOURCE_DIR; }

}  // namespace imagelib::bench
