// The `Authorization: Basic ...` value of OAuth2 client credentials, as a
// client sends it to POST /token (the API client, the targets, tests).
#pragma once

#include <string>

namespace imagelib::net {

std::string basic_authorization(const std::string& client_id, const std::string& secret);

}  // namespace imagelib::net
