// The `Authorization: Basic ...` value of OAuth2 client credentials, as the
// targets send it to POST /token.
#pragma once

#include <string>

namespace imagelib::conformance {

std::string basic_authorization(const std::string& client_id, const std::string& secret);

}  // namespace imagelib::conformance
