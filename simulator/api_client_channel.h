// ApiClientChannel: a client host's HTTPS connection to the library's API,
// as a client library keeps one: connects (modelled TLS, full handshake)
// when there is a request to send, sends requests one at a time over
// HTTP/1.1 keep-alive, and reports each response, or nullopt when the
// connection broke or timed out before the response came (the caller
// decides whether to retry: a POST may or may not have reached the server).
// Callbacks run as separate events. Owned by a workload actor through a
// shared_ptr; deferred events hold a weak_ptr.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "reference/api/api_service.h"
#include "simulator/host.h"
#include "simulator/http_codec.h"
#include "simulator/modelled_tls.h"

namespace imagelib::sim {

class ApiClientChannel final : public ConnectionHandler,
                               public std::enable_shared_from_this<ApiClientChannel> {
 public:
  using ResponseCallback = std::function<void(std::optional<HttpResponse>)>;

  // `timeout`: how long a request may wait for its response before the
  // connection is reset and the request fails.
  ApiClientChannel(Host& host, SimTime timeout);
  ~ApiClientChannel() override;
  ApiClientChannel(const ApiClientChannel&) = delete;
  ApiClientChannel& operator=(const ApiClientChannel&) = delete;

  void send(HttpRequest request, ResponseCallback on_response);
  std::uint64_t timeouts() const { return timeouts_; }

  void on_connected(ConnectionId id) override;
  void on_data(ConnectionId id, ByteView data) override;
  void on_writable(ConnectionId id) override;
  void on_closed(ConnectionId id, CloseKind kind) override;

 private:
  struct Pending {
    HttpRequest request;
    ResponseCallback on_response;
  };
  void send_next();
  void fail_connection();
  void report(ResponseCallback callback, std::optional<HttpResponse> response);

  Host& host_;
  SimTime timeout_;
  ConnectionId connection_ = 0;
  std::unique_ptr<Outbox> out_;
  std::unique_ptr<ModelledTls> tls_;
  std::unique_ptr<HttpParser> parser_;
  bool ready_ = false;
  std::deque<Pending> queue_;
  bool in_flight_ = false;  // queue_.front() was sent, its response awaited
  std::uint64_t request_serial_ = 0;
  std::uint64_t timeouts_ = 0;
};

}  // namespace imagelib::sim
