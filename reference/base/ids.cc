#include "reference/base/ids.h"

namespace imagelib {
namespace {

constexpr std::string_view kBase36 = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::uint64_t kFiveDigits = 36ULL * 36 * 36 * 36 * 36;

bool is_base36(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); }

}  // namespace

bool is_valid_id(std::string_view id, std::string_view prefix) {
  if (id.size() < 9 || id[3] != '-') return false;
  for (std::size_t i = 0; i < 3; ++i) {
    if (id[i] < 'a' || id[i] > 'z') return false;
  }
  for (std::size_t i = 4; i < id.size(); ++i) {
    if (!is_base36(id[i])) return false;
  }
  return prefix.empty() || id.substr(0, 3) == prefix;
}

std::string IdGenerator::next(std::string_view prefix) {
  while (true) {
    std::uint64_t n = rng_.uniform(kFiveDigits);
    std::string id(prefix);
    id += "-00000";
    for (std::size_t i = id.size(); i > prefix.size() + 1; --i) {
      id[i - 1] = kBase36[n % 36];
      n /= 36;
    }
    if (used_.insert(id).second) return id;
  }
}

}  // namespace imagelib
