// HTTP/1.1 framing for the simulated API link: the simulator carries API
// requests as real HTTP/1.1 text over the simulated byte stream (so short
// reads, resets and back-pressure hit the API as they hit FTP), with
// Content-Length framing only (no chunked encoding; the simulator's own
// client never sends it). Parsers take bytes split anywhere. The parsed
// messages are the API core's HttpRequest/HttpResponse. Not thread-safe.
#pragma once

#include <optional>
#include <string>

#include "reference/api/api_service.h"
#include "reference/base/bytes.h"

namespace imagelib::sim {

std::string serialize_request(const HttpRequest& request);
std::string serialize_response(const HttpResponse& response);

// Reads requests (server side) or responses (client side) from a stream.
class HttpParser {
 public:
  explicit HttpParser(std::size_t max_message_bytes = 4 << 20)
      : max_message_bytes_(max_message_bytes) {}

  void append(ByteView bytes) { buffer_.append(bytes.begin(), bytes.end()); }
  // A complete request, once there is one; nullopt while incomplete or after an error.
  std::optional<HttpRequest> next_request();
  std::optional<HttpResponse> next_response();
  // The stream is not HTTP/1.1 as this parser reads it: the connection must close.
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  struct Head {
    std::string start_line;
    std::map<std::string, std::string> headers;
    std::string body;
  };
  std::optional<Head> next_message();

  std::size_t max_message_bytes_;
  std::string buffer_;
  std::string error_;
};

}  // namespace imagelib::sim
