#include "net/ftps_session.h"

#include <algorithm>
#include <utility>

#include <boost/asio/write.hpp>

#include "net/clock.h"
#include "net/tls_context.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr std::size_t kDataReadBytes = 256 * 1024;
constexpr std::chrono::seconds kShutdownGrace{5};

// The end of an upload: close_notify, or a FIN without it (notes/ftps.md §8.1).
bool is_orderly_end(const error_code& error) {
  return error == asio::error::eof || error == ssl::error::stream_truncated;
}

// Marks a TLS connection as shut down, so that freeing it keeps its session
// in the server's cache (OpenSSL drops the session of an SSL freed without
// close_notify, and a data connection shares its control connection's).
void keep_session_cached(SSL* ssl) { SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN); }

}  // namespace

struct FtpsSession::DataConnection {
  DataConnection(DataConnectionId data_id, tcp::socket socket, ssl::context& tls)
      : id(data_id), stream(std::move(socket), tls), timer(stream.get_executor()) {}

  DataConnectionId id;
  TlsStream stream;
  asio::steady_timer timer;
  Bytes in = Bytes(kDataReadBytes);
  Bytes out;
  bool writing = false;
  bool close_after_write = false;
};

FtpsSession::FtpsSession(FtpsSessionContext context, tcp::socket socket)
    : context_(std::move(context)),
      control_(std::move(socket), context_.tls),
      idle_timer_(control_.get_executor()),
      login_timer_(control_.get_executor()),
      wake_timer_(control_.get_executor()) {}

FtpsSession::~FtpsSession() = default;

void FtpsSession::start() {
  error_code error;
  const tcp::endpoint peer = control_.next_layer().remote_endpoint(error);
  if (error) return end_session();
  peer_address_ = peer.address().to_string();
  id_context_ = new_session_id_context();
  core_ = context_.host.open_ftp_session(peer_address_);
  arm_idle_timer();
  arm_login_timer();
  execute(core_->on_connected(wall_clock_now()));
  read_control();
}

void FtpsSession::refuse(std::string reply) {
  control_out_ = std::move(reply);
  asio::async_write(control_.next_layer(), asio::buffer(control_out_),
                    [self = shared_from_this()](error_code, std::size_t) {
                      error_code ignored;
                      self->control_.next_layer().close(ignored);
                    });
}

// --- actions ---

void FtpsSession::execute(FtpServerActions actions) {
  for (FtpServerAction& action : actions) {
    if (ended_) return;
    execute_one(action);
  }
  run_control_steps();
}

void FtpsSession::execute_one(FtpServerAction& action) {
  std::visit(
      [this](auto& step) {
        using T = std::decay_t<decltype(step)>;
        if constexpr (std::is_same_v<T, FtpSendReply>) {
          control_steps_.push_back({ControlStep::Kind::kWrite, std::move(step.text)});
        } else if constexpr (std::is_same_v<T, FtpStartControlTls>) {
          control_steps_.push_back({ControlStep::Kind::kStartTls, {}});
          control_tls_due_ = true;
        } else if constexpr (std::is_same_v<T, FtpCloseControl>) {
          control_steps_.push_back({ControlStep::Kind::kClose, {}});
        } else if constexpr (std::is_same_v<T, FtpOpenPassiveListener>) {
          open_passive_listener();
        } else if constexpr (std::is_same_v<T, FtpClosePassiveListener>) {
          close_passive_listener();
        } else if constexpr (std::is_same_v<T, FtpRefuseDataConnection>) {
          close_data(step.data, /*graceful=*/false);
        } else if constexpr (std::is_same_v<T, FtpStartDataTls>) {
          start_data_tls(step.data);
        } else if constexpr (std::is_same_v<T, FtpSendData>) {
          send_data(step.data, std::move(step.bytes));
        } else if constexpr (std::is_same_v<T, FtpCloseData>) {
          close_data(step.data, step.graceful);
        } else if constexpr (std::is_same_v<T, FtpWakeAt>) {
          wake_at(step.at);
        }
      },
      action);
}

// --- the control connection ---

void FtpsSession::run_control_steps() {
  if (control_busy_ || ended_ || control_steps_.empty()) return;
  ControlStep step = std::move(control_steps_.front());
  control_steps_.pop_front();
  switch (step.kind) {
    case ControlStep::Kind::kWrite: {
      control_out_ = std::move(step.text);
      while (!control_steps_.empty() && control_steps_.front().kind == ControlStep::Kind::kWrite) {
        control_out_ += control_steps_.front().text;
        control_steps_.pop_front();
      }
      if (control_secure_ && std::exchange(control_ticket_due_, false)) {
        send_fresh_session_ticket(control_.native_handle());
      }
      control_busy_ = true;
      auto on_written = [self = shared_from_this()](error_code error, std::size_t) {
        self->control_busy_ = false;
        if (error) return self->end_session();
        self->run_control_steps();
      };
      if (control_secure_) {
        asio::async_write(control_, asio::buffer(control_out_), on_written);
      } else {
        asio::async_write(control_.next_layer(), asio::buffer(control_out_), on_written);
      }
      return;
    }
    case ControlStep::Kind::kStartTls:
      return start_control_tls();
    case ControlStep::Kind::kClose:
      return end_session();
  }
}

void FtpsSession::start_control_tls() {
  control_busy_ = true;
  bind_session_id_context(control_.native_handle(), id_context_);
  arm_idle_timer(context_.options.handshake_timeout);
  control_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code error) {
    self->control_busy_ = false;
    self->control_tls_due_ = false;
    if (self->ended_) return;
    if (error) return self->end_session();
    self->control_secure_ = true;
    self->arm_idle_timer();
    self->execute(self->core_->on_control_tls_established(self->id_context_, wall_clock_now()));
    self->read_control();
  });
}

void FtpsSession::read_control() {
  // While a handshake is due or runs, the client's next bytes are TLS, not
  // commands: reading resumes once it is done.
  if (ended_ || reading_control_ || control_tls_due_) return;
  reading_control_ = true;
  auto on_read = [self = shared_from_this()](error_code error, std::size_t bytes) {
    self->reading_control_ = false;
    self->on_control_read(error, bytes);
  };
  if (control_secure_) {
    control_.async_read_some(asio::buffer(control_in_), on_read);
  } else {
    control_.next_layer().async_read_some(asio::buffer(control_in_), on_read);
  }
}

void FtpsSession::on_control_read(error_code error, std::size_t bytes) {
  if (ended_) return;
  if (error) return end_session();
  const ByteView received(control_in_.data(), bytes);
  if (std::ranges::find(received, std::uint8_t{'\n'}) != received.end()) arm_idle_timer();
  execute(core_->on_control_bytes(received, wall_clock_now()));
  read_control();
}

void FtpsSession::arm_idle_timer() { arm_idle_timer(context_.options.idle_timeout); }

void FtpsSession::arm_idle_timer(std::chrono::seconds timeout) {
  idle_timer_.expires_after(timeout);
  idle_timer_.async_wait([self = shared_from_this()](error_code error) {
    if (error || self->ended_) return;
    if (self->control_tls_due_) return self->end_session();  // the handshake stalled
    if (!self->data_.empty()) return self->arm_idle_timer();  // a transfer is running
    self->time_out();
  });
}

void FtpsSession::arm_login_timer() {
  login_timer_.expires_after(context_.options.login_timeout);
  login_timer_.async_wait([self = shared_from_this()](error_code error) {
    if (error || self->ended_ || self->core_->account()) return;
    if (self->control_tls_due_) return self->end_session();  // the handshake stalled
    self->time_out();
  });
}

void FtpsSession::time_out() {
  control_steps_.push_back({ControlStep::Kind::kWrite, "421 Timeout.\r\n"});
  control_steps_.push_back({ControlStep::Kind::kClose, {}});
  run_control_steps();
}

void FtpsSession::end_session() {
  if (ended_) return;
  ended_ = true;
  if (core_) core_->on_control_closed(wall_clock_now());
  close_passive_listener();
  for (auto& [id, data] : data_) {
    keep_session_cached(data->stream.native_handle());
    error_code ignored;
    data->stream.next_layer().close(ignored);
    data->timer.cancel();
  }
  data_.clear();
  idle_timer_.cancel();
  login_timer_.cancel();
  wake_timer_.cancel();
  if (control_secure_) keep_session_cached(control_.native_handle());
  error_code ignored;
  control_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  control_.next_layer().close(ignored);
  context_.host.schedule_jobs();
  if (context_.on_ended) context_.on_ended();
}

void FtpsSession::wake_at(Timestamp at) {
  const Duration wait = at - wall_clock_now();
  wake_timer_.expires_after(wait.count() > 0 ? wait : Duration::zero());
  wake_timer_.async_wait([self = shared_from_this()](error_code error) {
    if (error || self->ended_) return;
    self->execute(self->core_->on_wake(wall_clock_now()));
  });
}

// --- passive listener and data connections ---

void FtpsSession::open_passive_listener() {
  close_passive_listener();
  error_code error;
  const tcp::endpoint local = control_.next_layer().local_endpoint(error);
  const std::uint32_t range =
      context_.options.passive_port_low == 0
          ? 1
          : std::uint32_t{context_.options.passive_port_high} - context_.options.passive_port_low + 1;
  for (std::uint32_t attempt = 0; !error && attempt < range; ++attempt) {
    tcp::acceptor acceptor(control_.get_executor());
    error_code bind_error;
    acceptor.open(local.protocol(), bind_error);
    // The server closes a download's data connection first, which leaves the
    // port in TIME_WAIT; as vsftpd, bind it again (Linux still refuses a port
    // another session listens on).
    if (!bind_error) acceptor.set_option(asio::socket_base::reuse_address(true), bind_error);
    if (!bind_error) acceptor.bind(tcp::endpoint(local.address(), context_.next_passive_port()), bind_error);
    if (!bind_error) acceptor.listen(asio::socket_base::max_listen_connections, bind_error);
    if (bind_error) continue;
    listener_.emplace(std::move(acceptor));
    const std::uint16_t port = listener_->local_endpoint().port();
    const std::string ipv4 = local.address().is_v4() ? local.address().to_string() : "127.0.0.1";
    accept_data();
    execute(core_->on_passive_listener_opened(port, ipv4, wall_clock_now()));
    return;
  }
  execute(core_->on_passive_listener_failed(wall_clock_now()));
}

void FtpsSession::close_passive_listener() {
  if (!listener_) return;
  error_code ignored;
  listener_->close(ignored);
  listener_.reset();
}

void FtpsSession::accept_data() {
  tcp::acceptor* listener = &*listener_;
  listener->async_accept([self = shared_from_this(), listener](error_code error, tcp::socket socket) {
    // A listener closed or replaced meanwhile: this accept is stale.
    if (self->ended_ || !self->listener_ || &*self->listener_ != listener) return;
    if (error) return;
    error_code peer_error;
    const tcp::endpoint peer = socket.remote_endpoint(peer_error);
    if (!peer_error) {
      const DataConnectionId id = self->next_data_id_++;
      auto data = std::make_shared<DataConnection>(id, std::move(socket), self->context_.tls);
      self->data_[id] = data;
      self->arm_transfer_timer(data);
      self->execute(self->core_->on_data_connection_accepted(id, peer.address().to_string(),
                                                             wall_clock_now()));
    }
    if (self->listener_ && &*self->listener_ == listener) self->accept_data();
  });
}

void FtpsSession::start_data_tls(DataConnectionId id) {
  auto found = data_.find(id);
  if (found == data_.end()) return;
  std::shared_ptr<DataConnection> data = found->second;
  bind_session_id_context(data->stream.native_handle(), id_context_);
  disable_session_tickets(data->stream.native_handle());
  data->timer.expires_after(context_.options.handshake_timeout);
  data->stream.async_handshake(
      ssl::stream_base::server, [self = shared_from_this(), data](error_code error) {
        if (self->ended_ || self->data_.count(data->id) == 0) return;
        // The client may have spent its ticket on this handshake, whatever its
        // outcome: the transfer's final reply brings it a fresh one (SPEC §4).
        self->control_ticket_due_ = true;
        if (error) return self->data_failed(data, DataCloseReason::kReset);
        self->arm_transfer_timer(data);
        std::optional<std::string> resumed = resumed_session_id_context(data->stream.native_handle());
        // Without required reuse, a session offered and declined is a full handshake.
        if ((!resumed || resumed->empty()) && !self->context_.options.require_tls_session_reuse) {
          resumed = self->id_context_;
        }
        FtpServerActions actions =
            self->core_->on_data_tls_established(data->id, resumed, wall_clock_now());
        // A download starts sending (or closes) at once; anything else is an
        // upload, whose bytes are read until the client ends them.
        const bool core_drives = std::any_of(actions.begin(), actions.end(), [&](const auto& a) {
          if (auto* send = std::get_if<FtpSendData>(&a)) return send->data == data->id;
          if (auto* close = std::get_if<FtpCloseData>(&a)) return close->data == data->id;
          if (auto* refuse = std::get_if<FtpRefuseDataConnection>(&a)) return refuse->data == data->id;
          return false;
        });
        self->execute(std::move(actions));
        if (!core_drives && self->data_.count(data->id) != 0) self->read_data(data);
      });
}

void FtpsSession::read_data(const std::shared_ptr<DataConnection>& data) {
  data->stream.async_read_some(
      asio::buffer(data->in), [self = shared_from_this(), data](error_code error, std::size_t bytes) {
        if (self->ended_ || self->data_.count(data->id) == 0) return;
        if (error) {
          return self->data_failed(data, is_orderly_end(error) ? DataCloseReason::kFinished
                                                               : DataCloseReason::kReset);
        }
        self->arm_transfer_timer(data);
        self->execute(self->core_->on_data_bytes(data->id, ByteView(data->in.data(), bytes),
                                                 wall_clock_now()));
        if (self->data_.count(data->id) != 0) self->read_data(data);
      });
}

void FtpsSession::send_data(DataConnectionId id, Bytes bytes) {
  auto found = data_.find(id);
  if (found == data_.end()) return;
  std::shared_ptr<DataConnection> data = found->second;
  data->out = std::move(bytes);
  data->writing = true;
  asio::async_write(data->stream, asio::buffer(data->out),
                    [self = shared_from_this(), data](error_code error, std::size_t) {
                      data->writing = false;
                      if (data->close_after_write) return self->shutdown_data(data);
                      if (self->ended_ || self->data_.count(data->id) == 0) return;
                      if (error) return self->data_failed(data, DataCloseReason::kReset);
                      self->arm_transfer_timer(data);
                      self->execute(self->core_->on_data_writable(data->id, wall_clock_now()));
                    });
}

void FtpsSession::close_data(DataConnectionId id, bool graceful) {
  auto found = data_.find(id);
  if (found == data_.end()) return;
  std::shared_ptr<DataConnection> data = found->second;
  data_.erase(found);
  if (!graceful) {
    keep_session_cached(data->stream.native_handle());
    error_code ignored;
    data->stream.next_layer().close(ignored);
    data->timer.cancel();
    return;
  }
  if (data->writing) {
    data->close_after_write = true;
  } else {
    shutdown_data(data);
  }
}

void FtpsSession::shutdown_data(const std::shared_ptr<DataConnection>& data) {
  data->timer.expires_after(kShutdownGrace);
  data->timer.async_wait([data](error_code error) {
    if (error) return;
    error_code ignored;
    data->stream.next_layer().close(ignored);
  });
  // close_notify, then the peer's close_notify or its FIN.
  data->stream.async_shutdown([data](error_code) {
    keep_session_cached(data->stream.native_handle());
    error_code ignored;
    data->stream.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    data->stream.next_layer().close(ignored);
    data->timer.cancel();
  });
}

void FtpsSession::data_failed(const std::shared_ptr<DataConnection>& data, DataCloseReason reason) {
  if (data_.erase(data->id) == 0) return;
  if (reason == DataCloseReason::kFinished) {
    shutdown_data(data);  // answer the client's close_notify (Python's ftplib waits for it)
  } else {
    keep_session_cached(data->stream.native_handle());
    error_code ignored;
    data->stream.next_layer().close(ignored);
    data->timer.cancel();
  }
  execute(core_->on_data_closed(data->id, reason, wall_clock_now()));
}

void FtpsSession::arm_transfer_timer(const std::shared_ptr<DataConnection>& data) {
  const bool secure = SSL_is_init_finished(data->stream.native_handle()) == 1;
  data->timer.expires_after(secure ? context_.options.transfer_timeout
                                   : context_.options.handshake_timeout);
  data->timer.async_wait([self = shared_from_this(), data](error_code error) {
    if (error || self->ended_ || self->data_.count(data->id) == 0) return;
    self->data_failed(data, DataCloseReason::kReset);
  });
}

}  // namespace imagelib::net
