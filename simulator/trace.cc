#include "simulator/trace.h"

#include "reference/base/rng.h"

namespace imagelib::sim {

void Trace::record(std::string_view line) {
  hash_ = fnv1a64(line, hash_);
  hash_ = fnv1a64("\n", hash_);
  ++line_count_;
  if (keep_lines_) lines_.emplace_back(line);
}

std::string hex16(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i) {
    text[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
    value >>= 4;
  }
  return text;
}

}  // namespace imagelib::sim
