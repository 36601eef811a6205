#include "simulator/ftp_server_connection.h"

#include <type_traits>
#include <variant>

#include "simulator/library_host.h"

namespace imagelib::sim {
namespace {

// The address the passive replies name; the simulator routes by port only.
constexpr std::string_view kLibraryAddress = "10.0.0.1";

std::string first_line(const std::string& text) { return text.substr(0, text.find('\r')); }

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace

FtpServerConnection::FtpServerConnection(LibraryHost& owner, ConnectionId control)
    : owner_(owner),
      host_(owner.host()),
      control_(control),
      session_(owner.library(), owner.ftp_options(),
               owner.host().network().peer_of(control, owner.host().name())),
      control_out_(owner.host(), control) {
  host_.adopt(control_, *this);
}

void FtpServerConnection::start() {
  deliver([](FtpServerSession& s, Timestamp at) { return s.on_connected(at); });
}

void FtpServerConnection::deliver(const Event& event) {
  if (finished_) return;
  owner_.run_jobs();
  perform(event(session_, host_.loop().wall_now()));
}

void FtpServerConnection::defer(std::string label, Event event) {
  LibraryHost* owner = &owner_;
  const ConnectionId control = control_;
  host_.loop().schedule_after(0, std::move(label), [owner, control, event = std::move(event)] {
    if (auto* connection = owner->find_ftp(control)) connection->deliver(event);
  });
}

void FtpServerConnection::perform(FtpServerActions actions) {
  for (auto& action : actions) {
    if (finished_) return;
    std::visit(
        Overloaded{
            [&](FtpSendReply& a) {
              host_.loop().note("ftp c" + std::to_string(control_) + " < " + first_line(a.text));
              control_out_.write(a.text);
            },
            [&](FtpStartControlTls&) { control_tls_.start_server(owner_.tls_cache()); },
            [&](FtpOpenPassiveListener&) {
              close_passive_listener();
              const int port = owner_.allocate_passive_port();
              passive_port_ = port;
              LibraryHost* owner = &owner_;
              const ConnectionId control = control_;
              host_.listen(port, [owner, control, this_host = &host_](ConnectionId id) {
                if (auto* connection = owner->find_ftp(control)) {
                  connection->accept_data(id);
                } else {
                  this_host->network().reset(id, this_host->name());
                }
              });
              defer("ftp passive listener " + std::to_string(port),
                    [port](FtpServerSession& s, Timestamp at) {
                      return s.on_passive_listener_opened(static_cast<std::uint16_t>(port),
                                                          std::string(kLibraryAddress), at);
                    });
            },
            [&](FtpClosePassiveListener&) { close_passive_listener(); },
            [&](FtpRefuseDataConnection& a) {
              host_.network().reset(a.data, host_.name());
              host_.forget(a.data);
              data_.erase(a.data);
            },
            [&](FtpStartDataTls& a) {
              auto it = data_.find(a.data);
              if (it == data_.end()) return;
              DataConnection& d = it->second;
              d.tls.start_server(owner_.tls_cache());
              d.tls_started = true;
              Bytes early;
              early.swap(d.early);
              if (!early.empty()) on_data_connection_data(a.data, d, early);
            },
            [&](FtpSendData& a) {
              auto it = data_.find(a.data);
              if (it == data_.end()) return;
              if (it->second.out.write(a.bytes)) {
                const DataConnectionId data = a.data;
                defer("ftp data sent", [data](FtpServerSession& s, Timestamp at) {
                  return s.on_data_writable(data, at);
                });
              } else {
                it->second.writable_wanted = true;
              }
            },
            [&](FtpCloseData& a) {
              auto it = data_.find(a.data);
              if (it == data_.end()) return;
              if (a.graceful) {
                it->second.closing = true;
                it->second.out.close_when_sent();
              } else {
                host_.network().reset(a.data, host_.name());
                host_.forget(a.data);
                data_.erase(it);
              }
            },
            [&](FtpWakeAt& a) {
              wake_at_ = a.at;
              LibraryHost* owner = &owner_;
              const ConnectionId control = control_;
              const Timestamp at = a.at;
              host_.loop().schedule_at((at - host_.loop().wall_now()).count() + host_.loop().now(),
                                       "ftp wake c" + std::to_string(control_),
                                       [owner, control, at] {
                auto* connection = owner->find_ftp(control);
                if (connection == nullptr || connection->wake_at_ != at) return;
                connection->wake_at_.reset();
                connection->deliver(
                    [](FtpServerSession& s, Timestamp now) { return s.on_wake(now); });
              });
            },
            [&](FtpCloseControl&) {
              control_out_.close_when_sent();
              for (auto& [id, d] : data_) {
                host_.network().reset(id, host_.name());
                host_.forget(id);
              }
              data_.clear();
              close_passive_listener();
            },
        },
        action);
  }
}

void FtpServerConnection::accept_data(ConnectionId id) {
  host_.adopt(id, *this);
  data_.emplace(id, DataConnection{Outbox(host_, id)});
  const std::string peer = host_.network().peer_of(id, host_.name());
  deliver([id, peer](FtpServerSession& s, Timestamp at) {
    return s.on_data_connection_accepted(id, peer, at);
  });
}

void FtpServerConnection::on_connected(ConnectionId) {}

void FtpServerConnection::on_data(ConnectionId id, ByteView data) {
  if (id == control_) return on_control_data(data);
  auto it = data_.find(id);
  if (it == data_.end()) return;
  on_data_connection_data(id, it->second, data);
}

void FtpServerConnection::on_control_data(ByteView data) {
  if (control_tls_.state() == ModelledTls::State::kPlain ||
      control_tls_.state() == ModelledTls::State::kEstablished) {
    deliver([data](FtpServerSession& s, Timestamp at) { return s.on_control_bytes(data, at); });
    return;
  }
  ModelledTls::Output out = control_tls_.on_bytes(data);
  if (!out.to_send.empty()) control_out_.write(out.to_send);
  if (out.failed_now) {
    host_.network().reset(control_, host_.name());
    deliver([](FtpServerSession& s, Timestamp at) { return s.on_control_closed(at); });
    return finish();
  }
  if (out.established_now) {
    const std::string id = control_tls_.session_id();
    deliver([id](FtpServerSession& s, Timestamp at) { return s.on_control_tls_established(id, at); });
  }
  if (!out.application.empty()) {
    deliver([&out](FtpServerSession& s, Timestamp at) {
      return s.on_control_bytes(out.application, at);
    });
  }
}

void FtpServerConnection::on_data_connection_data(ConnectionId id, DataConnection& d, ByteView data) {
  if (!d.tls_started) {
    d.early.insert(d.early.end(), data.begin(), data.end());
    return;
  }
  if (d.tls.state() == ModelledTls::State::kEstablished) {
    deliver([id, data](FtpServerSession& s, Timestamp at) { return s.on_data_bytes(id, data, at); });
    return;
  }
  ModelledTls::Output out = d.tls.on_bytes(data);
  if (!out.to_send.empty()) d.out.write(out.to_send);
  if (out.failed_now) {
    host_.network().reset(id, host_.name());
    host_.forget(id);
    data_.erase(id);
    deliver([id](FtpServerSession& s, Timestamp at) {
      return s.on_data_closed(id, DataCloseReason::kReset, at);
    });
    return;
  }
  if (out.established_now) {
    const std::optional<std::string> resumed = d.tls.resumed_from();
    deliver([id, resumed](FtpServerSession& s, Timestamp at) {
      return s.on_data_tls_established(id, resumed, at);
    });
  }
  if (!out.application.empty()) {
    deliver([id, &out](FtpServerSession& s, Timestamp at) {
      return s.on_data_bytes(id, out.application, at);
    });
  }
}

void FtpServerConnection::on_writable(ConnectionId id) {
  if (id == control_) {
    control_out_.flush();
    return;
  }
  auto it = data_.find(id);
  if (it == data_.end()) return;
  if (it->second.out.flush() && it->second.writable_wanted) {
    it->second.writable_wanted = false;
    deliver([id](FtpServerSession& s, Timestamp at) { return s.on_data_writable(id, at); });
  }
}

void FtpServerConnection::on_closed(ConnectionId id, CloseKind kind) {
  if (id == control_) {
    deliver([](FtpServerSession& s, Timestamp at) { return s.on_control_closed(at); });
    if (kind == CloseKind::kPeerClosed) control_out_.close_when_sent();
    return finish();
  }
  auto it = data_.find(id);
  if (it == data_.end()) return;
  const bool closing = it->second.closing;
  if (kind == CloseKind::kPeerClosed) {
    // Our direction ends too: after what is queued, or at once if that cannot go.
    if (it->second.out.empty()) {
      it->second.out.close_when_sent();
    } else {
      host_.network().reset(id, host_.name());
    }
  }
  host_.forget(id);
  data_.erase(it);
  if (closing) return;  // the session closed it first: not reported
  const DataCloseReason reason =
      kind == CloseKind::kPeerClosed ? DataCloseReason::kFinished : DataCloseReason::kReset;
  deliver([id, reason](FtpServerSession& s, Timestamp at) { return s.on_data_closed(id, reason, at); });
}

void FtpServerConnection::close_passive_listener() {
  if (!passive_port_) return;
  host_.stop_listening(*passive_port_);
  passive_port_.reset();
}

void FtpServerConnection::drop_connections() {
  for (auto& [id, d] : data_) host_.forget(id);
  data_.clear();
  host_.forget(control_);
  close_passive_listener();
}

void FtpServerConnection::finish() {
  if (finished_) return;
  for (auto& [id, d] : data_) {
    host_.network().reset(id, host_.name());
  }
  drop_connections();
  finished_ = true;
  owner_.release_ftp(control_);
}

}  // namespace imagelib::sim
