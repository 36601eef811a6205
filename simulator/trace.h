// Trace: the record of one simulation run. Every delivered event becomes one
// line folded into a 64-bit FNV-1a hash; two runs of one seed must give the
// same hash. Lines are kept only when asked (for `--trace FILE`). Not
// thread-safe; owned by the EventLoop.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imagelib::sim {

class Trace {
 public:
  explicit Trace(bool keep_lines = false) : keep_lines_(keep_lines) {}

  // Appends one line (without its newline) and folds it into the hash.
  void record(std::string_view line);

  std::uint64_t hash() const { return hash_; }
  std::uint64_t line_count() const { return line_count_; }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  bool keep_lines_;
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;  // the FNV-1a offset basis
  std::uint64_t line_count_ = 0;
  std::vector<std::string> lines_;
};

// "0123456789abcdef": the hash as 16 lowercase hex digits.
std::string hex16(std::uint64_t value);

}  // namespace imagelib::sim
