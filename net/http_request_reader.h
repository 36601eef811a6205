// How serve's API reads one HTTP request (SPEC §6): Beast's parser under the
// header and body limits, then what Beast leaves to its user — a parse error
// becomes the answer that ends the connection, a Transfer-Encoding other
// than chunked is refused (reading on would take its body for the next
// request: request smuggling), and the message becomes the core's
// HttpRequest. ApiServer runs it over a socket (async_read into the
// parser); fuzz_http_request feeds it bytes (RequestParser::put), so the
// fuzzer meets the code that serves.
#pragma once

#include <boost/beast/http.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "reference/api/api_service.h"

namespace imagelib::net {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using RequestMessage = boost::beast::http::request<boost::beast::http::string_body>;

struct RequestLimits {
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 1024 * 1024;
};

// Sets `parser`'s limits; call on a fresh parser before reading.
void limit_request_parser(RequestParser& parser, const RequestLimits& limits);

// What one read ended with.
struct RequestRead {
  // The request to answer (its version and keep-alive are the client's).
  std::optional<RequestMessage> request;
  // Otherwise the answer that ends the connection; neither: close silently
  // (the peer went away or timed out).
  std::optional<HttpResponse> refusal;
};

// Judges a read that ended with `error` (none: the parser is done).
RequestRead finish_request_read(boost::system::error_code error, RequestParser& parser);

// The core's view of a message: lower-case header names, the body.
HttpRequest to_core_request(const RequestMessage& message);

// A JSON error answer made outside the core ({"error_name", "errors"}).
HttpResponse transport_error(int status, std::string_view name, std::string_view message);

// POST /token: a failure counts against the client's address (SPEC §6).
bool is_token_request(const RequestMessage& request);

}  // namespace imagelib::net
