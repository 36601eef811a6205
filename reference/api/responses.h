// Building API responses: JSON bodies with their content type, and the error
// bodies of SPEC §3 ({"error_name", "errors"} and the OAuth {"error", ...}).
// Used by the files of reference/api only.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reference/api/api_service.h"
#include "reference/base/status.h"

namespace imagelib::api {

// `status` with `body` serialised as JSON and content-type application/json.
HttpResponse json_response(int status, const nlohmann::json& body);
// The error table's status and error_name for `error`, its message in "errors".
HttpResponse error_response(const Status& error);
// An error the table does not hold (405, 413): the given status and name.
HttpResponse http_error_response(int status, std::string_view error_name, std::string message);
// The OAuth2 error shape of RFC 6749 §5.2, used by POST /token.
HttpResponse oauth_error_response(int status, std::string_view error, std::string description);

}  // namespace imagelib::api
