#include "net/api_server.h"

#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <list>

#include "net/http_request_reader.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

http::response<http::string_body> to_beast_response(const HttpResponse& response, unsigned version,
                                                    bool keep_alive) {
  http::response<http::string_body> message{static_cast<http::status>(response.status), version};
  message.set(http::field::server, "imagelib");
  for (const auto& [name, value] : response.headers) message.set(name, value);
  message.body() = response.body;
  message.keep_alive(keep_alive);
  message.prepare_payload();
  return message;
}

}  // namespace

// A connection that is waiting for a request (its TLS handshake, or the
// request's bytes): the kind the listener may close to make room.
struct WaitingConnection {
  virtual ~WaitingConnection() = default;
  virtual void evict() = 0;
};

struct ApiListener : std::enable_shared_from_this<ApiListener> {
  ApiListener(asio::io_context& io_context, asio::ssl::context* tls_context,
              const tcp::endpoint& endpoint, ApiServerLimits server_limits)
      : tls(tls_context), acceptor(io_context), retry_timer(io_context), limits(server_limits) {
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
  }

  void accept();
  void serve(tcp::socket socket);
  // Closes the connection that has waited longest, if any; true if one was.
  bool evict_oldest_waiting();

  using WaitingList = std::list<std::weak_ptr<WaitingConnection>>;

  LibraryHost* host = nullptr;
  asio::ssl::context* tls;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;  // after an accept error, so that it cannot spin
  ApiServerLimits limits;
  std::size_t connections = 0;
  // Oldest first. When the table is full, a new connection closes the oldest
  // waiting one (nginx reuses idle keep-alive connections the same way), so
  // silent or slow sockets cannot lock honest clients out (SPEC §6).
  WaitingList waiting;
  bool stopped = false;
};

namespace {

// One connection; Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
template <typename Stream>
class ApiConnection : public WaitingConnection,
                      public std::enable_shared_from_this<ApiConnection<Stream>> {
 public:
  ApiConnection(std::shared_ptr<ApiListener> server, Stream stream)
      : server_(std::move(server)), stream_(std::move(stream)), delay_timer_(stream_.get_executor()) {
    ++server_->connections;
    error_code error;
    peer_address_ = beast::get_lowest_layer(stream_).socket().remote_endpoint(error).address().to_string();
  }
  ~ApiConnection() override {
    stop_waiting();
    --server_->connections;
  }

  void start() {
    start_waiting();
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read_request();
    } else {
      beast::get_lowest_layer(stream_).expires_after(server_->limits.header_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code error) {
                                if (!error) self->read_request();
                              });
    }
  }

  void evict() override {
    stop_waiting();
    error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);  // pending reads end; so does the connection
  }

 private:
  void start_waiting() {
    waiting_ = server_->waiting.insert(server_->waiting.end(), this->weak_from_this());
  }
  void stop_waiting() {
    if (waiting_) server_->waiting.erase(*waiting_);
    waiting_.reset();
  }

  // The headers within header_timeout (slowloris), then the body within read_timeout.
  void read_request() {
    if (!waiting_) start_waiting();
    parser_.emplace();
    limit_request_parser(*parser_, {server_->limits.max_header_bytes, server_->limits.max_body_bytes});
    beast::get_lowest_layer(stream_).expires_after(server_->limits.header_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](error_code error, std::size_t) {
                              if (error) return self->on_read(error);
                              self->read_body();
                            });
  }

  void read_body() {
    beast::get_lowest_layer(stream_).expires_after(server_->limits.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](error_code error, std::size_t) {
                       self->on_read(error);
                     });
  }

  void on_read(error_code error) {
    stop_waiting();
    RequestRead read = finish_request_read(error, *parser_);
    if (read.refusal) return respond(*read.refusal, 11, false);
    if (!read.request) return close();
    RequestMessage request = std::move(*read.request);
    LoginThrottle& throttle = server_->host->login_throttle();
    const auto now = LoginThrottle::Clock::now();
    if (const auto wait = throttle.refused_for(peer_address_, now)) {
      HttpResponse refused = transport_error(
          429, "too_many_requests",
          "too many failed logins and token requests from " + peer_address_ + "; try again in " +
              std::to_string(wait->count()) + " seconds");
      refused.headers["retry-after"] = std::to_string(wait->count());
      return respond(refused, request.version(), false);
    }
    const auto delay = is_token_request(request) ? throttle.delay(peer_address_, now)
                                                 : LoginThrottle::Clock::duration::zero();
    if (delay == LoginThrottle::Clock::duration::zero()) return answer(std::move(request));
    // The client's failures so far hold this attempt back; reading waits too.
    delay_timer_.expires_after(delay);
    delay_timer_.async_wait(
        [self = this->shared_from_this(), request = std::move(request)](error_code waited) mutable {
          if (!waited && !self->server_->stopped) self->answer(std::move(request));
        });
  }

  void answer(RequestMessage request) {
    const HttpResponse response = server_->host->handle_api(to_core_request(request));
    if (response.status == 401 && is_token_request(request)) {
      server_->host->login_throttle().record_failure(peer_address_, LoginThrottle::Clock::now());
    }
    respond(response, request.version(), request.keep_alive() && !server_->stopped);
  }

  void respond(const HttpResponse& response, unsigned version, bool keep_alive) {
    response_ = to_beast_response(response, version, keep_alive);
    beast::get_lowest_layer(stream_).expires_after(server_->limits.read_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this(), keep_alive](error_code error, std::size_t) {
                        if (error) return;
                        if (keep_alive) {
                          self->read_request();
                        } else {
                          self->close();
                        }
                      });
  }

  void close() {
    error_code ignored;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    } else {
      // Send close_notify without waiting for the peer's.
      SSL_shutdown(stream_.native_handle());
      beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  std::shared_ptr<ApiListener> server_;
  Stream stream_;
  std::string peer_address_;
  asio::steady_timer delay_timer_;  // holds back a throttled token request
  std::optional<ApiListener::WaitingList::iterator> waiting_;  // where it is in server_->waiting
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<http::response<http::string_body>> response_;
};

}  // namespace

bool ApiListener::evict_oldest_waiting() {
  // Every entry is alive: a connection leaves the list in its destructor.
  const std::shared_ptr<WaitingConnection> oldest = waiting.empty() ? nullptr : waiting.front().lock();
  if (!oldest) return false;
  oldest->evict();
  return true;
}

void ApiListener::serve(tcp::socket socket) {
  if (tls != nullptr) {
    std::make_shared<ApiConnection<beast::ssl_stream<beast::tcp_stream>>>(
        shared_from_this(), beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls))
        ->start();
  } else {
    std::make_shared<ApiConnection<beast::tcp_stream>>(shared_from_this(), beast::tcp_stream(std::move(socket)))
        ->start();
  }
}

void ApiListener::accept() {
  acceptor.async_accept([self = shared_from_this()](error_code error, tcp::socket socket) {
    if (self->stopped) return;
    if (error) {
      // Out of descriptors (EMFILE) or another accept error: free one if a
      // connection is only waiting, and try again shortly instead of spinning.
      self->evict_oldest_waiting();
      self->retry_timer.expires_after(std::chrono::milliseconds(50));
      self->retry_timer.async_wait([self](error_code) {
        if (!self->stopped) self->accept();
      });
      return;
    }
    if (self->connections < self->limits.max_connections || self->evict_oldest_waiting()) {
      self->serve(std::move(socket));
    } else {
      error_code ignored;
      socket.close(ignored);  // every connection is busy with a request: refuse this one
    }
    self->accept();
  });
}

ApiServer::ApiServer(asio::io_context& io, asio::ssl::context* tls, const tcp::endpoint& endpoint,
                     ApiServerLimits limits)
    : state_(std::make_shared<ApiListener>(io, tls, endpoint, limits)) {}

ApiServer::~ApiServer() { stop(); }

tcp::endpoint ApiServer::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void ApiServer::start(LibraryHost& host) {
  state_->host = &host;
  state_->accept();
}

void ApiServer::stop() {
  state_->stopped = true;
  error_code ignored;
  state_->acceptor.close(ignored);
  state_->retry_timer.cancel();
}

}  // namespace imagelib::net
