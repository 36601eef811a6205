// The one error table: how each ErrorCode is reported by the HTTP API
// (status and error_name) and by the FTP dialogue (reply code and text).
#pragma once

#include <string_view>

#include "reference/base/status.h"

namespace imagelib {

struct ErrorInfo {
  ErrorCode code;
  std::string_view short_name;  // used in logs and Status::to_string
  int http_status;
  std::string_view error_name;  // the API's "error_name"
  int ftp_reply;
  std::string_view ftp_text;    // the reply text when the caller has none better
};

const ErrorInfo& error_info(ErrorCode code);

}  // namespace imagelib
