#include "reference/formats/vmdk_descriptor.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

#include "reference/formats/container.h"

namespace imagelib {
namespace {

constexpr std::string_view kFormat = "vmdk";
constexpr std::size_t kQuotedLineLength = 60;  // of a refused line, in messages

std::string_view trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string quoted(std::string_view line) {
  return "\"" + std::string(line.substr(0, kQuotedLineLength)) +
         (line.size() > kQuotedLineLength ? "...\"" : "\"");
}

std::string_view unquote(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return value.substr(1, value.size() - 2);
  }
  return value;
}

// The next blank-separated word of `line`, removed from it.
std::string_view next_word(std::string_view& line) {
  line = trim(line);
  const std::size_t end = std::min(line.find_first_of(" \t"), line.size());
  const std::string_view word = line.substr(0, end);
  line.remove_prefix(end);
  return word;
}

bool is_access_word(std::string_view word) {
  return equals_ignoring_case(word, "RW") || equals_ignoring_case(word, "RDONLY") ||
         equals_ignoring_case(word, "NOACCESS");
}

// `ACCESS SECTORS TYPE "FILE" [OFFSET]`; returns the extent's sectors.
Result<std::uint64_t> parse_extent(std::string_view line) {
  const std::string_view original = line;
  const std::string_view access = next_word(line);
  const std::string_view sectors_text = next_word(line);
  const std::string_view type = next_word(line);
  line = trim(line);
  if (equals_ignoring_case(access, "NOACCESS")) {
    return bad_image(kFormat, "extent line " + quoted(original) + " is not readable");
  }
  std::uint64_t sectors = 0;
  if (sectors_text.empty() || sectors_text.size() > 19 ||
      !std::all_of(sectors_text.begin(), sectors_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return bad_image(kFormat, "extent line " + quoted(original) + " has no sector count");
  }
  for (const char c : sectors_text) sectors = sectors * 10 + static_cast<std::uint64_t>(c - '0');
  if (!equals_ignoring_case(type, "SPARSE")) {
    return bad_image(kFormat, "extent type " + std::string(type) +
                                  " reads data from another file; only the file's own SPARSE "
                                  "extent is accepted");
  }
  if (line.size() < 2 || line.front() != '"' || line.find('"', 1) != line.size() - 1) {
    return bad_image(kFormat, "extent line " + quoted(original) +
                                  " must end with one quoted file name and no offset");
  }
  const std::string_view name = line.substr(1, line.size() - 2);
  if (name.empty() || name.find_first_of("/\\:") != std::string_view::npos) {
    return bad_image(kFormat,
                     "extent file name " + quoted(name) + " is a path: it could name another file");
  }
  return sectors;
}

}  // namespace

Result<VmdkDescriptor> parse_vmdk_descriptor(std::string_view text) {
  text = text.substr(0, text.find('\0'));
  std::optional<std::string_view> create_type;
  std::optional<std::uint64_t> extent_sectors;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    if (line.empty() || line.front() == '#') continue;
    if (std::any_of(line.begin(), line.end(), [](char c) {
          const auto byte = static_cast<unsigned char>(c);
          return (byte < 0x20 && c != '\t') || byte == 0x7f;
        })) {
      return bad_image(kFormat, "the descriptor holds control characters");
    }
    std::string_view rest = line;
    if (is_access_word(next_word(rest))) {
      if (extent_sectors) {
        return bad_image(kFormat,
                         "the descriptor has more than one extent (a split or "
                         "multi-file disk)");
      }
      auto sectors = parse_extent(line);
      if (!sectors.ok()) return sectors.status();
      extent_sectors = *sectors;
      continue;
    }
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return bad_image(kFormat, "unrecognised descriptor line " + quoted(line));
    }
    const std::string_view key = trim(line.substr(0, equals));
    const std::string_view value = unquote(trim(line.substr(equals + 1)));
    if (equals_ignoring_case(key, "createType")) {
      create_type = value;
    } else if (equals_ignoring_case(key, "parentFileNameHint")) {
      return bad_image(kFormat, "delta disk: parentFileNameHint names a parent image");
    } else if (equals_ignoring_case(key, "parentCID") && !equals_ignoring_case(value, "ffffffff")) {
      return bad_image(kFormat,
                       "delta disk: parentCID " + std::string(value) + " refers to a parent image");
    }
  }
  if (!create_type) return bad_image(kFormat, "the descriptor has no createType");
  const bool stream_optimized = equals_ignoring_case(*create_type, "streamOptimized");
  if (!stream_optimized && !equals_ignoring_case(*create_type, "monolithicSparse")) {
    return bad_image(kFormat, "createType " + quoted(*create_type) +
                                  " is not monolithicSparse or streamOptimized");
  }
  if (!extent_sectors) return bad_image(kFormat, "the descriptor has no extent");
  return VmdkDescriptor{stream_optimized, *extent_sectors};
}

}  // namespace imagelib
