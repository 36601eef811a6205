// Reading the Authorization header: HTTP Basic client credentials for
// POST /token (RFC 7617, RFC 6749 §2.3.1) and Bearer tokens for every other
// endpoint (RFC 6750 §2.1). Used by ApiService only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "reference/base/status.h"

namespace imagelib::api {

struct ClientCredentials {
  std::string client_id;
  std::string secret;
};

// The credentials of `Authorization: Basic base64(id:secret)`; kUnauthorized
// when the header is missing, of another scheme, or not valid base64 of a
// text with a ':'.
Result<ClientCredentials> basic_credentials(const std::map<std::string, std::string>& headers);

// The token of `Authorization: Bearer <token>`; kUnauthorized when missing
// or of another scheme.
Result<std::string> bearer_token(const std::map<std::string, std::string>& headers);

// Strict base64 (RFC 4648 §4, with padding); nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace imagelib::api
