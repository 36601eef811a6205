#include "reference/library/model.h"

#include <array>
#include <utility>

namespace imagelib {
namespace {

constexpr std::array<std::pair<ImageStatus, std::string_view>, 7> kStatusNames{{
    {ImageStatus::kCreating, "creating"},
    {ImageStatus::kAvailable, "available"},
    {ImageStatus::kDeprecated, "deprecated"},
    {ImageStatus::kUnavailable, "unavailable"},
    {ImageStatus::kDeleting, "deleting"},
    {ImageStatus::kDeleted, "deleted"},
    {ImageStatus::kFailed, "failed"},
}};

constexpr std::array<std::pair<Arch, std::string_view>, 2> kArchNames{{
    {Arch::kI686, "i686"},
    {Arch::kX86_64, "x86_64"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view text) {
  for (const auto& [v, name] : table) {
    if (name == text) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ImageStatus status) { return name_of(kStatusNames, status); }
std::string_view to_string(Arch arch) { return name_of(kArchNames, arch); }
std::string_view to_string(SourceType type) {
  return type == SourceType::kUpload ? "upload" : "snapshot";
}
std::optional<ImageStatus> parse_image_status(std::string_view text) {
  return value_of(kStatusNames, text);
}
std::optional<Arch> parse_arch(std::string_view text) { return value_of(kArchNames, text); }

std::uint64_t to_megabytes(std::uint64_t bytes) { return (bytes + kMiB - 1) / kMiB; }

}  // namespace imagelib
