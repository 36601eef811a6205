// The JSON shapes of SPEC §2 (image) and of the account and server records,
// as the API returns them, and the canonical dump of a whole Library state.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "reference/library/model.h"

namespace imagelib {

// `api_base` is the API's root URL, e.g. "https://api.example.com"; the
// image's "url" is api_base + "/1.0/images/" + id.
nlohmann::json image_json(const Image& image, std::string_view api_base);
// The password appears only when `with_password` (the reset's response).
nlohmann::json account_json(const Account& account, std::string_view ftp_host, bool with_password);
nlohmann::json server_json(const Server& server, std::string_view api_base);

}  // namespace imagelib
