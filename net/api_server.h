// ApiServer: the JSON API of SPEC §3 over HTTPS (or plain HTTP when asked,
// for local use) with Boost.Beast. It parses each request with Beast's
// parser under header and body limits and a read timeout, hands it to the
// LibraryHost (hence ApiService::handle) and writes the response; keep-alive
// connections are served one request at a time. Runs on the io_context's
// single thread. Callers: tools/serve_command, tests.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>

#include "net/library_host.h"

namespace imagelib::net {

// The listener and its connections' shared state (api_server.cc).
struct ApiListener;

struct ApiServerLimits {
  std::chrono::seconds header_timeout{10};  // for the TLS handshake, and then for each request's headers
  std::chrono::seconds read_timeout{30};    // for a request's body once its headers are in
  std::uint32_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 1024 * 1024;
  // Connections at once; beyond it a new one closes the longest-waiting idle
  // one, or is refused when every connection is busy with a request.
  std::size_t max_connections = 256;
};

class ApiServer {
 public:
  // `tls` null means plain HTTP. Binds and listens at once (so the port is
  // known before the core exists); throws boost::system::system_error if it cannot.
  ApiServer(boost::asio::io_context& io, boost::asio::ssl::context* tls,
            const boost::asio::ip::tcp::endpoint& endpoint, ApiServerLimits limits = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Starts serving requests with `host`, which must outlive the server.
  void start(LibraryHost& host);
  void stop();

 private:
  std::shared_ptr<ApiListener> state_;
};

}  // namespace imagelib::net
