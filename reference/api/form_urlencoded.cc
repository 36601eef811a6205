#include "reference/api/form_urlencoded.h"

#include <optional>
#include <set>
#include <utility>

namespace imagelib::api {
namespace {

std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

// Decodes text[begin, end); a bad escape names its byte in the whole text.
Result<std::string> percent_decode(std::string_view text, std::size_t begin, std::size_t end) {
  std::string decoded;
  for (std::size_t i = begin; i < end; ++i) {
    if (text[i] == '+') {
      decoded.push_back(' ');
    } else if (text[i] != '%') {
      decoded.push_back(text[i]);
    } else {
      const auto high = i + 2 < end ? hex_value(text[i + 1]) : std::nullopt;
      const auto low = i + 2 < end ? hex_value(text[i + 2]) : std::nullopt;
      if (!high || !low) {
        return Status(ErrorCode::kBadRequest,
                      "bad percent escape at byte " + std::to_string(i) + ": '%' must be followed by two hex digits");
      }
      decoded.push_back(static_cast<char>(*high * 16 + *low));
      i += 2;
    }
  }
  return decoded;
}

}  // namespace

Result<std::vector<FormField>> decode_form(std::string_view text) {
  std::vector<FormField> fields;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('&', begin);
    if (end == std::string_view::npos) end = text.size();
    if (end > begin) {
      std::size_t equals = text.find('=', begin);
      if (equals == std::string_view::npos || equals > end) equals = end;
      auto name = percent_decode(text, begin, equals);
      if (!name.ok()) return name.status();
      auto value = percent_decode(text, equals == end ? end : equals + 1, end);
      if (!value.ok()) return value.status();
      fields.push_back({std::move(name).value(), std::move(value).value()});
    }
    begin = end + 1;
  }
  return fields;
}

Result<nlohmann::json> parse_form_object(std::string_view body) {
  auto fields = decode_form(body);
  if (!fields.ok()) return fields.status();
  nlohmann::json object = nlohmann::json::object();
  std::set<std::string> names;
  for (FormField& field : *fields) {
    if (!names.insert(field.name).second) {
      return Status(ErrorCode::kBadRequest, "parameter '" + field.name + "' is given more than once");
    }
    // A parameter without a value counts as omitted (RFC 6749 §3.1).
    if (!field.value.empty()) object[field.name] = std::move(field.value);
  }
  return object;
}

}  // namespace imagelib::api
