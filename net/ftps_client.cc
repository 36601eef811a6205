#include "net/ftps_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <map>

#include "net/clock.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using TlsStream = ssl::stream<tcp::socket>;

bool is_orderly_end(const error_code& error) {
  return error == asio::error::eof || error == ssl::error::stream_truncated;
}

void mark_shut_down(SSL* ssl) { SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN); }

struct DataConnection {
  DataConnection(asio::io_context& io, ssl::context& tls) : stream(io, tls) {}
  TlsStream stream;
  Bytes in = Bytes(256 * 1024);
  Bytes out;
  bool writing = false;
  bool close_after_write = false;
};

}  // namespace

struct FtpsClient::State : std::enable_shared_from_this<FtpsClient::State> {
  State(asio::io_context& io_context, ssl::context& tls_context, tcp::endpoint server_endpoint,
        FtpClientOptions options, std::string sni)
      : io(io_context), tls(tls_context), server(std::move(server_endpoint)),
        core(std::move(options)), control(io_context, tls_context), server_name(std::move(sni)) {
    name_server(control);
  }

  void name_server(TlsStream& stream) const {
    if (!server_name.empty()) SSL_set_tlsext_host_name(stream.native_handle(), server_name.c_str());
  }

  void execute(FtpClientActions actions) {
    for (FtpClientAction& action : actions) {
      if (closed) return;
      std::visit([this](auto& step) { run(step); }, action);
    }
    flush_control();
  }

  void run(FtpSendCommand& step) { control_queue.push_back({false, std::move(step.line)}); }
  void run(FtpClientStartControlTls&) {
    control_queue.push_back({true, {}});
    tls_due = true;
  }
  void run(FtpConnectData& step) { connect_data(step.data, step.port); }
  void run(FtpClientSendData& step) { send_data(step.data, std::move(step.bytes)); }
  void run(FtpClientCloseData& step) { close_data(step.data, step.graceful); }
  void run(FtpClientCloseControl&) { close_all(); }
  void run(FtpReportOutcome& step) {
    if (on_outcome) on_outcome(step.outcome);
  }

  void flush_control() {
    if (busy || closed || control_queue.empty()) return;
    auto [start_tls, text] = std::move(control_queue.front());
    control_queue.pop_front();
    busy = true;
    if (start_tls) {
      control.async_handshake(ssl::stream_base::client, [self = shared_from_this()](error_code error) {
        self->busy = false;
        self->tls_due = false;
        if (self->closed) return;
        if (error) return self->control_closed();
        self->secure = true;
        self->execute(self->core.on_control_tls_established(wall_clock_now()));
        self->read_control();
      });
      return;
    }
    out = std::move(text);
    auto done = [self = shared_from_this()](error_code error, std::size_t) {
      self->busy = false;
      if (error) return self->control_closed();
      self->flush_control();
    };
    if (secure) {
      asio::async_write(control, asio::buffer(out), done);
    } else {
      asio::async_write(control.next_layer(), asio::buffer(out), done);
    }
  }

  void read_control() {
    if (closed || reading || tls_due) return;
    reading = true;
    auto done = [self = shared_from_this()](error_code error, std::size_t bytes) {
      self->reading = false;
      if (self->closed) return;
      if (error) return self->control_closed();
      self->execute(self->core.on_control_bytes(ByteView(self->in.data(), bytes), wall_clock_now()));
      self->read_control();
    };
    if (secure) {
      control.async_read_some(asio::buffer(in), done);
    } else {
      control.next_layer().async_read_some(asio::buffer(in), done);
    }
  }

  void connect_data(DataConnectionId id, std::uint16_t port) {
    auto data = std::make_shared<DataConnection>(io, tls);
    name_server(data->stream);
    connections[id] = data;
    data->stream.next_layer().async_connect(
        tcp::endpoint(server.address(), port), [self = shared_from_this(), data, id](error_code error) {
          if (self->closed || self->connections.count(id) == 0) return;
          if (error) return self->data_ended(id, DataCloseReason::kReset);
          self->execute(self->core.on_data_connected(id, wall_clock_now()));
          if (self->connections.count(id) == 0) return;
          // Resume the control connection's TLS session (servers require it),
          // through a copy: OpenSSL marks a TLS 1.3 session used by a
          // connection as not resumable, and the next data connection needs it.
          if (SSL_SESSION* session = SSL_get_session(self->control.native_handle())) {
            SSL_SESSION* copy = SSL_SESSION_dup(session);
            SSL_set_session(data->stream.native_handle(), copy);
            SSL_SESSION_free(copy);
          }
          data->stream.async_handshake(ssl::stream_base::client, [self, data, id](error_code hs) {
            if (self->closed || self->connections.count(id) == 0) return;
            if (hs) return self->data_ended(id, DataCloseReason::kReset);
            FtpClientActions actions = self->core.on_data_tls_established(id, wall_clock_now());
            const bool uploading = std::any_of(actions.begin(), actions.end(), [id](const auto& a) {
              const auto* send = std::get_if<FtpClientSendData>(&a);
              return send != nullptr && send->data == id;
            });
            self->execute(std::move(actions));
            if (!uploading && self->connections.count(id) != 0) self->read_data(id, data);
          });
        });
  }

  void read_data(DataConnectionId id, const std::shared_ptr<DataConnection>& data) {
    data->stream.async_read_some(asio::buffer(data->in), [self = shared_from_this(), data, id](
                                                            error_code error, std::size_t bytes) {
      if (self->closed || self->connections.count(id) == 0) return;
      if (error) {
        return self->data_ended(id, is_orderly_end(error) ? DataCloseReason::kFinished
                                                          : DataCloseReason::kReset);
      }
      if (self->on_data_read) self->on_data_read(bytes);
      self->execute(self->core.on_data_bytes(id, ByteView(data->in.data(), bytes), wall_clock_now()));
      if (self->connections.count(id) != 0) self->read_data(id, data);
    });
  }

  void send_data(DataConnectionId id, Bytes bytes) {
    auto found = connections.find(id);
    if (found == connections.end()) return;
    auto data = found->second;
    data->out = std::move(bytes);
    data->writing = true;
    asio::async_write(data->stream, asio::buffer(data->out),
                      [self = shared_from_this(), data, id](error_code error, std::size_t) {
                        data->writing = false;
                        if (data->close_after_write) return shutdown(data);
                        if (self->closed || self->connections.count(id) == 0) return;
                        if (error) return self->data_ended(id, DataCloseReason::kReset);
                        self->execute(self->core.on_data_writable(id, wall_clock_now()));
                      });
  }

  static void shutdown(const std::shared_ptr<DataConnection>& data) {
    data->stream.async_shutdown([data](error_code) {
      mark_shut_down(data->stream.native_handle());
      error_code ignored;
      data->stream.next_layer().close(ignored);
    });
  }

  void close_data(DataConnectionId id, bool graceful) {
    auto found = connections.find(id);
    if (found == connections.end()) return;
    auto data = found->second;
    connections.erase(found);
    if (!graceful) {
      mark_shut_down(data->stream.native_handle());
      error_code ignored;
      data->stream.next_layer().close(ignored);
    } else if (data->writing) {
      data->close_after_write = true;
    } else {
      shutdown(data);
    }
  }

  void data_ended(DataConnectionId id, DataCloseReason reason) {
    auto found = connections.find(id);
    if (found == connections.end()) return;
    mark_shut_down(found->second->stream.native_handle());
    error_code ignored;
    found->second->stream.next_layer().close(ignored);
    connections.erase(found);
    execute(core.on_data_closed(id, reason, wall_clock_now()));
  }

  void control_closed() {
    if (closed) return;
    FtpClientActions actions = core.on_control_closed(wall_clock_now());
    for (FtpClientAction& action : actions) {
      if (auto* report = std::get_if<FtpReportOutcome>(&action); report && on_outcome) {
        on_outcome(report->outcome);
      }
    }
    close_all();
  }

  void close_all() {
    if (closed) return;
    closed = true;
    error_code ignored;
    for (auto& [id, data] : connections) {
      mark_shut_down(data->stream.native_handle());
      data->stream.next_layer().close(ignored);
    }
    connections.clear();
    if (secure) mark_shut_down(control.native_handle());
    control.next_layer().close(ignored);
  }

  asio::io_context& io;
  ssl::context& tls;
  tcp::endpoint server;
  FtpClientSession core;
  TlsStream control;
  std::string server_name;
  OutcomeHandler on_outcome;
  DataReadObserver on_data_read;
  std::deque<std::pair<bool, std::string>> control_queue;  // (start TLS, text)
  std::string out;
  std::array<std::uint8_t, 16 * 1024> in{};
  std::map<DataConnectionId, std::shared_ptr<DataConnection>> connections;
  bool busy = false;
  bool reading = false;
  bool tls_due = false;
  bool secure = false;
  bool closed = false;
};

FtpsClient::FtpsClient(asio::io_context& io, ssl::context& tls, tcp::endpoint server,
                       FtpClientOptions options, std::string server_name)
    : state_(std::make_shared<State>(io, tls, std::move(server), std::move(options),
                                     std::move(server_name))) {}

FtpsClient::~FtpsClient() {
  // Pending handlers hold the state; closing makes them end.
  asio::post(state_->io, [state = state_] { state->close_all(); });
}

void FtpsClient::connect(OutcomeHandler on_outcome) {
  state_->on_outcome = std::move(on_outcome);
  state_->control.next_layer().async_connect(state_->server, [state = state_](error_code error) {
    if (error) return state->control_closed();
    state->execute(state->core.on_connected(wall_clock_now()));
    state->read_control();
  });
}

std::uint64_t FtpsClient::start(FtpClientOperation operation) {
  const std::uint64_t number = ++started_;
  state_->execute(state_->core.start(std::move(operation), wall_clock_now()));
  return number;
}

void FtpsClient::quit() { state_->execute(state_->core.quit(wall_clock_now())); }

bool FtpsClient::is_closed() const { return state_->closed; }

void FtpsClient::observe_data_reads(DataReadObserver observer) { state_->on_data_read = std::move(observer); }

Result<std::vector<FtpClientOutcome>> run_ftps_operations(const tcp::endpoint& server, ssl::context& tls,
                                                          FtpClientOptions options,
                                                          std::vector<FtpClientOperation> operations,
                                                          FtpsClient::DataReadObserver on_data_read) {
  asio::io_context io;
  std::vector<FtpClientOutcome> outcomes;
  {
    FtpsClient client(io, tls, server, std::move(options));
    client.observe_data_reads(std::move(on_data_read));
    const std::size_t expected = operations.size() + 1;
    // QUIT once every operation ended, or at once when the login failed.
    client.connect([&](const FtpClientOutcome& outcome) {
      outcomes.push_back(outcome);
      if (outcomes.size() == expected || (outcome.operation == 0 && !outcome.ok)) client.quit();
    });
    for (FtpClientOperation& operation : operations) client.start(std::move(operation));
    io.run();
  }
  io.restart();
  io.run();
  if (outcomes.empty()) return Status(ErrorCode::kInternal, "the FTPS connection failed before login");
  return outcomes;
}

}  // namespace imagelib::net
