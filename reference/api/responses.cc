#include "reference/api/responses.h"

#include <utility>

#include "reference/base/error_table.h"

namespace imagelib::api {

HttpResponse json_response(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.headers["content-type"] = "application/json";
  // Replace invalid UTF-8 rather than throw: names come from user input.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse http_error_response(int status, std::string_view error_name, std::string message) {
  return json_response(status, {{"error_name", error_name}, {"errors", {std::move(message)}}});
}

HttpResponse error_response(const Status& error) {
  const ErrorInfo& info = error_info(error.code());
  HttpResponse response = http_error_response(info.http_status, info.error_name, error.message());
  if (error.code() == ErrorCode::kUnauthorized) response.headers["www-authenticate"] = "Bearer";
  return response;
}

HttpResponse oauth_error_response(int status, std::string_view error, std::string description) {
  return json_response(status, {{"error", error}, {"error_description", std::move(description)}});
}

}  // namespace imagelib::api
