#include "net/ftps_server.h"

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <optional>
#include <string>

#include "net/ftps_session.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

}  // namespace

struct FtpsServer::State : std::enable_shared_from_this<FtpsServer::State> {
  State(asio::io_context& io, asio::ssl::context& tls_context, const tcp::endpoint& endpoint,
        FtpsServerOptions server_options)
      : tls(tls_context), options(std::move(server_options)), acceptor(io), retry_timer(io) {
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen();
    next_port = options.passive_port_low;
  }

  std::uint16_t next_passive_port() {
    if (options.passive_port_low == 0) return 0;
    const std::uint16_t port = next_port;
    next_port = port >= options.passive_port_high ? options.passive_port_low
                                                  : static_cast<std::uint16_t>(port + 1);
    return port;
  }

  void accept() {
    acceptor.async_accept([self = shared_from_this()](error_code error, tcp::socket socket) {
      if (self->stopped) return;
      if (error) {
        // Out of descriptors (EMFILE) or another accept error: try again
        // shortly instead of spinning on a connection that cannot be taken.
        self->retry_timer.expires_after(std::chrono::milliseconds(50));
        self->retry_timer.async_wait([self](error_code) {
          if (!self->stopped) self->accept();
        });
        return;
      }
      self->start_session(std::move(socket));
      self->accept();
    });
  }

  // The reply refusing one more session, if a limit says so.
  std::optional<std::string> refusal(const std::string& address) const {
    if (auto wait = host->login_throttle().refused_for(address, LoginThrottle::Clock::now())) {
      return "421 Too many failed logins from your internet address; try again in " +
             std::to_string(wait->count()) + " seconds.\r\n";
    }
    if (sessions >= options.max_sessions) {
      return "421 There are too many connected users, please try later.\r\n";
    }
    const auto found = sessions_by_address.find(address);
    if (found != sessions_by_address.end() && found->second >= options.max_sessions_per_address) {
      return "421 There are too many connections from your internet address.\r\n";
    }
    return std::nullopt;
  }

  void start_session(tcp::socket socket) {
    error_code error;
    const std::string address = socket.remote_endpoint(error).address().to_string();
    if (error) return;  // the peer is already gone
    std::weak_ptr<State> weak = weak_from_this();
    FtpsSessionContext context{*host, tls, options, [weak] {
                                 auto self = weak.lock();
                                 return self ? self->next_passive_port() : std::uint16_t{0};
                               },
                               [weak, address] {
                                 if (auto self = weak.lock()) self->session_ended(address);
                               }};
    if (auto reply = refusal(address)) {
      context.on_ended = nullptr;
      std::make_shared<FtpsSession>(std::move(context), std::move(socket))->refuse(std::move(*reply));
      return;
    }
    ++sessions;
    ++sessions_by_address[address];
    std::make_shared<FtpsSession>(std::move(context), std::move(socket))->start();
  }

  void session_ended(const std::string& address) {
    --sessions;
    if (--sessions_by_address[address] == 0) sessions_by_address.erase(address);
  }

  LibraryHost* host = nullptr;
  asio::ssl::context& tls;
  FtpsServerOptions options;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::uint16_t next_port = 0;
  std::size_t sessions = 0;
  std::map<std::string, std::size_t> sessions_by_address;
  bool stopped = false;
};

FtpsServer::FtpsServer(asio::io_context& io, asio::ssl::context& tls, const tcp::endpoint& endpoint,
                       FtpsServerOptions options)
    : state_(std::make_shared<State>(io, tls, endpoint, std::move(options))) {}

FtpsServer::~FtpsServer() { stop(); }

tcp::endpoint FtpsServer::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void FtpsServer::start(LibraryHost& host) {
  state_->host = &host;
  state_->accept();
}

void FtpsServer::stop() {
  state_->stopped = true;
  state_->retry_timer.cancel();
  error_code ignored;
  state_->acceptor.close(ignored);
}

std::size_t FtpsServer::open_sessions() const { return state_->sessions; }

}  // namespace imagelib::net
