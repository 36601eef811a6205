// Reading JSON request bodies: parsing (400 bad_request with the position of
// a syntax error, or for a body that is not an object) and the typed fields
// of each endpoint (422 unprocessable_entity naming a field of the wrong type
// or an unknown field). nlohmann exceptions are caught here. Used by the
// endpoint handlers only.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reference/base/status.h"
#include "reference/library/library.h"

namespace imagelib::api {

// Deeper bodies are refused before they are parsed (SPEC §6).
inline constexpr int kMaxJsonDepth = 64;

// The body as a JSON object; an empty body is {}. A syntax error, a number
// out of range or nesting deeper than kMaxJsonDepth is a 400 naming the byte.
Result<nlohmann::json> parse_object_body(std::string_view body);

// Typed access to the fields of a JSON object. Each getter marks its field
// as known; the first wrong type is kept and reported by finish(), which also
// reports a field no getter asked for. A `null` value counts as not given.
class FieldReader {
 public:
  explicit FieldReader(const nlohmann::json& object) : object_(object) {}

  std::optional<std::string> string(std::string_view name);
  std::optional<bool> boolean(std::string_view name);
  std::optional<std::uint32_t> uint32(std::string_view name);

  // The first wrong type, else the first unknown field (kUnprocessable), else ok.
  Status finish() const;

 private:
  const nlohmann::json* lookup(std::string_view name);
  void fail(std::string_view name, std::string_view expected);

  const nlohmann::json& object_;
  std::set<std::string, std::less<>> known_;
  Status first_error_;
};

Result<RegisterRequest> parse_register_request(const nlohmann::json& object);
Result<ImageUpdate> parse_image_update(const nlohmann::json& object);
Result<ServerRequest> parse_server_request(const nlohmann::json& object);
// For endpoints that take no fields: ok for {}, 422 naming the first field otherwise.
Status expect_no_fields(const nlohmann::json& object);

}  // namespace imagelib::api
