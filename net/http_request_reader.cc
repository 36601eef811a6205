#include "net/http_request_reader.h"

#include <nlohmann/json.hpp>

namespace imagelib::net {

namespace beast = boost::beast;
namespace http = beast::http;

void limit_request_parser(RequestParser& parser, const RequestLimits& limits) {
  parser.header_limit(limits.max_header_bytes);
  parser.body_limit(limits.max_body_bytes);
}

RequestRead finish_request_read(boost::system::error_code error, RequestParser& parser) {
  if (error == http::error::body_limit) {
    return {std::nullopt, transport_error(413, "payload_too_large", "the request body is too large")};
  }
  if (error == http::error::header_limit) {
    return {std::nullopt, transport_error(431, "bad_request", "the request headers are too large")};
  }
  if (error) {
    // A request Beast could not parse gets a 400; a peer that went away or
    // timed out gets nothing more.
    const bool malformed = error.category() == http::make_error_code(http::error::bad_target).category();
    if (malformed && error != http::error::end_of_stream && error != http::error::partial_message) {
      return {std::nullopt, transport_error(400, "bad_request", "malformed HTTP request")};
    }
    return {};
  }
  RequestMessage request = parser.release();
  // Beast frames only a chunked body. Any other Transfer-Encoding leaves the
  // body's end unknown: answer it and close (SPEC §6).
  if (const auto coding = request.find(http::field::transfer_encoding);
      coding != request.end() && !beast::iequals(coding->value(), "chunked")) {
    return {std::nullopt, transport_error(501, "not_implemented",
                                          "Transfer-Encoding " + std::string(coding->value()) +
                                              " is not supported (only chunked)")};
  }
  return {std::move(request), std::nullopt};
}

HttpRequest to_core_request(const RequestMessage& message) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers[name] = std::string(field.value());
  }
  request.body = message.body();
  return request;
}

HttpResponse transport_error(int status, std::string_view name, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.headers["content-type"] = "application/json";
  response.body = nlohmann::json{{"error_name", name}, {"errors", {message}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

bool is_token_request(const RequestMessage& request) {
  const beast::string_view target = request.target();
  const std::string_view path(target.data(), std::min(target.size(), target.find('?')));
  return request.method() == http::verb::post && path == "/token";
}

}  // namespace imagelib::net
