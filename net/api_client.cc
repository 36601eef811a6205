#include "net/api_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <regex>

#include "net/basic_auth.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Runs one asynchronous operation on `io` to its end; throws its error. The
// stream's deadline (expires_after) bounds every operation run this way.
template <typename Initiate>
void run_operation(asio::io_context& io, Initiate initiate) {
  beast::error_code result;
  initiate([&result](beast::error_code error, auto&&...) { result = error; });
  io.restart();
  io.run();
  if (result) throw boost::system::system_error(result);
}

template <typename Stream>
RawApiReply exchange_once(asio::io_context& io, Stream& stream,
                          const http::request<http::string_body>& request) {
  run_operation(io, [&](auto done) { http::async_write(stream, request, done); });
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{1} << 30);
  run_operation(io, [&](auto done) { http::async_read(stream, buffer, parser, done); });
  const auto& response = parser.get();
  RawApiReply reply;
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  reply.body = response.body();
  return reply;
}

ApiReply decode(RawApiReply raw) {
  ApiReply reply;
  reply.status = raw.status;
  reply.headers = std::move(raw.headers);
  reply.body = nlohmann::json::parse(raw.body, nullptr, false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  if (reply.body.is_object()) {
    if (reply.body.contains("error_name") && reply.body["error_name"].is_string()) {
      reply.error_name = reply.body["error_name"].get<std::string>();
      const auto& errors = reply.body.value("errors", nlohmann::json::array());
      if (errors.is_array() && !errors.empty() && errors[0].is_string()) {
        reply.error_message = errors[0].get<std::string>();
      }
    } else if (reply.body.contains("error") && reply.body["error"].is_string()) {
      reply.error_name = reply.body["error"].get<std::string>();
      reply.error_message = reply.body.value("error_description", "");
    }
  }
  return reply;
}

}  // namespace

ApiClient::ApiClient(std::string base, asio::ssl::context& tls, std::string server_name,
                     std::chrono::steady_clock::duration timeout)
    : tls_(tls), server_name_(std::move(server_name)), timeout_(timeout) {
  static const std::regex kBase(R"(^(https?)://(\[[^\]]+\]|[^:/]+):(\d+)/?$)");
  std::smatch match;
  if (std::regex_match(base, match, kBase)) {
    secure_ = match[1] == "https";
    host_ = match[2];
    if (host_.size() > 2 && host_.front() == '[') host_ = host_.substr(1, host_.size() - 2);
    port_ = match[3];
  }
  boost::system::error_code not_an_address;
  asio::ip::make_address(host_, not_an_address);
  if (server_name_.empty() && not_an_address) server_name_ = host_;
}

Result<ApiReply> ApiClient::request_token(const std::string& client_id, const std::string& secret) {
  auto reply = send("POST", "/token",
                    {{"authorization", basic_authorization(client_id, secret)},
                     {"content-type", "application/json"}},
                    R"({"grant_type":"client_credentials"})");
  if (reply.ok() && reply->status == 200 && reply->body.is_object() &&
      reply->body.contains("access_token") && reply->body["access_token"].is_string()) {
    token_ = reply->body["access_token"].get<std::string>();
  }
  return reply;
}

Result<ApiReply> ApiClient::call(const std::string& method, const std::string& target,
                                 const nlohmann::json& body) {
  std::map<std::string, std::string> headers{{"content-type", "application/json"}};
  if (token_) headers["authorization"] = "Bearer " + *token_;
  return send(method, target, headers, body.is_null() ? "" : body.dump());
}

Result<ApiReply> ApiClient::send(const std::string& method, const std::string& target,
                                 const std::map<std::string, std::string>& headers,
                                 const std::string& body) {
  auto raw = send_raw(method, target, headers, body);
  if (!raw.ok()) return raw.status();
  return decode(std::move(*raw));
}

Result<RawApiReply> ApiClient::send_raw(const std::string& method, const std::string& target,
                                        const std::map<std::string, std::string>& headers,
                                        const std::string& body) {
  if (host_.empty()) return Status(ErrorCode::kBadRequest, "API base must be http(s)://host:port");
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(host_, port_);
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, host_);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.keep_alive(false);
    request.prepare_payload();
    if (!secure_) {
      beast::tcp_stream stream(io);
      stream.expires_after(timeout_);
      run_operation(io, [&](auto done) { stream.async_connect(endpoints, done); });
      return exchange_once(io, stream, request);
    }
    beast::ssl_stream<beast::tcp_stream> stream(io, tls_);
    if (!server_name_.empty()) SSL_set_tlsext_host_name(stream.native_handle(), server_name_.c_str());
    beast::get_lowest_layer(stream).expires_after(timeout_);
    run_operation(io, [&](auto done) { beast::get_lowest_layer(stream).async_connect(endpoints, done); });
    run_operation(io, [&](auto done) { stream.async_handshake(asio::ssl::stream_base::client, done); });
    RawApiReply reply = exchange_once(io, stream, request);
    try {
      run_operation(io, [&](auto done) { stream.async_shutdown(done); });
    } catch (const boost::system::system_error&) {
      // The reply is complete; a server that closes without its TLS close_notify loses nothing.
    }
    return reply;
  } catch (const boost::system::system_error& error) {
    if (error.code() == beast::error::timeout) {
      return Status(ErrorCode::kInternal,
                    "API request failed: no answer within " +
                        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(timeout_).count()) +
                        " ms");
    }
    return Status(ErrorCode::kInternal, std::string("API request failed: ") + error.what());
  }
}

}  // namespace imagelib::net
