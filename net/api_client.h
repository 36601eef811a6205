// ApiClient: an HTTPS (or plain HTTP) client of the image library's JSON API
// (SPEC §3), for the remote conformance target and tools: it gets a token
// with client credentials and sends any endpoint's request with it, and
// decodes error bodies ({"error_name", "errors"} or OAuth's {"error"}).
// Blocking, one request at a time over a fresh connection, each bounded by a
// timeout (connect to the last byte of the reply); not thread-safe.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "reference/base/status.h"

namespace imagelib::net {

struct ApiReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  nlohmann::json body;                         // null when empty or not JSON
  // The error's name and first message, when the body is an error.
  std::string error_name;
  std::string error_message;
};

// A response as it came: the body as text, undecoded.
struct RawApiReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
};

class ApiClient {
 public:
  // `base` is "https://host:port" or "http://host:port"; `tls` is used for
  // https, with `server_name` (default: the host, unless it is an address)
  // sent as SNI. A request that takes longer than `timeout` fails.
  ApiClient(std::string base, boost::asio::ssl::context& tls, std::string server_name = {},
            std::chrono::steady_clock::duration timeout = std::chrono::seconds(60));

  // POST /token with client credentials; keeps the token for later requests.
  Result<ApiReply> request_token(const std::string& client_id, const std::string& secret);
  // Any endpoint, with the kept token (if any). `body` null sends none.
  Result<ApiReply> call(const std::string& method, const std::string& target,
                        const nlohmann::json& body = nullptr);

  const std::optional<std::string>& token() const { return token_; }

  // Any request exactly as given: no token, no content-type added (for
  // harnesses that also send what a server must refuse).
  Result<RawApiReply> send_raw(const std::string& method, const std::string& target,
                               const std::map<std::string, std::string>& headers,
                               const std::string& body);

 private:
  Result<ApiReply> send(const std::string& method, const std::string& target,
                        const std::map<std::string, std::string>& headers, const std::string& body);

  std::string host_;
  std::string port_;
  bool secure_ = true;
  boost::asio::ssl::context& tls_;
  std::string server_name_;
  std::chrono::steady_clock::duration timeout_;
  std::optional<std::string> token_;
};

}  // namespace imagelib::net
