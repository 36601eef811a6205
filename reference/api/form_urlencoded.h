// application/x-www-form-urlencoded text: the query of a request target
// (parse_target, routes.cc) and the body of POST /token as OAuth2 client
// libraries send it (token_handler.cc). One decoder for both; it reads text
// from anyone, so every malformed input is a kBadRequest, never a crash.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/base/status.h"

namespace imagelib::api {

struct FormField {
  std::string name;
  std::string value;
};

// The name=value pairs of `text` in their order: split at '&' (empty pieces
// skipped, a piece without '=' has an empty value), '+' is a space and %XX a
// byte. A '%' not followed by two hex digits is kBadRequest naming its byte.
Result<std::vector<FormField>> decode_form(std::string_view text);

// A form body as a JSON object of strings, so that the fields are read by the
// same FieldReader as a JSON body. A parameter with an empty value is left
// out (RFC 6749 §3.1: it counts as omitted); a name given twice is
// kBadRequest (RFC 6749 §3.2: parameters must not be included more than once).
Result<nlohmann::json> parse_form_object(std::string_view body);

}  // namespace imagelib::api
