#include "reference/api/auth_headers.h"

#include <cstdint>

namespace imagelib::api {
namespace {

Status unauthorized(std::string message) {
  return Status(ErrorCode::kUnauthorized, std::move(message));
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The credentials after "<scheme> " in the Authorization header, with
// surrounding spaces removed; nullopt when the header or scheme differs.
std::optional<std::string_view> credentials_of_scheme(
    const std::map<std::string, std::string>& headers, std::string_view scheme) {
  auto it = headers.find("authorization");
  if (it == headers.end()) return std::nullopt;
  std::string_view value = it->second;
  const auto space = value.find(' ');
  if (space == std::string_view::npos || !equals_ignoring_case(value.substr(0, space), scheme)) {
    return std::nullopt;
  }
  value.remove_prefix(space);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

std::optional<std::uint32_t> base64_digit(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<std::uint32_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<std::uint32_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<std::uint32_t>(c - '0' + 52);
  if (c == '+') return 62;
  if (c == '/') return 63;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  std::string decoded;
  for (std::size_t group = 0; group < text.size(); group += 4) {
    const bool last = group + 4 == text.size();
    std::uint32_t bits = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const bool is_padding = last && i >= 4 - padding;
      const auto digit = is_padding ? std::optional<std::uint32_t>(0) : base64_digit(text[group + i]);
      if (!digit) return std::nullopt;
      bits = (bits << 6) | *digit;
    }
    const std::size_t bytes = last ? 3 - padding : 3;
    for (std::size_t i = 0; i < bytes; ++i) {
      decoded.push_back(static_cast<char>((bits >> (16 - 8 * i)) & 0xff));
    }
  }
  return decoded;
}

Result<ClientCredentials> basic_credentials(const std::map<std::string, std::string>& headers) {
  const auto encoded = credentials_of_scheme(headers, "Basic");
  if (!encoded) return unauthorized("client credentials are required as Authorization: Basic");
  const auto decoded = base64_decode(*encoded);
  if (!decoded) return unauthorized("the Basic credentials are not valid base64");
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return unauthorized("the Basic credentials have no ':'");
  return ClientCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

Result<std::string> bearer_token(const std::map<std::string, std::string>& headers) {
  const auto token = credentials_of_scheme(headers, "Bearer");
  if (!token || token->empty()) {
    return unauthorized("an access token is required as Authorization: Bearer");
  }
  return std::string(*token);
}

}  // namespace imagelib::api
