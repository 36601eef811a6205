#include "simulator/ftp_client_connection.h"

#include <variant>

#include "simulator/library_host.h"

namespace imagelib::sim {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace

FtpClientConnection::FtpClientConnection(Host& host, FtpClientOptions options,
                                         bool resume_data_tls, OutcomeCallback on_outcome)
    : host_(host),
      session_(std::move(options)),
      resume_data_tls_(resume_data_tls),
      on_outcome_(std::move(on_outcome)) {}

FtpClientConnection::~FtpClientConnection() {
  if (control_ != 0) host_.forget(control_);
  for (const auto& [id, d] : data_) host_.forget(id);
}

void FtpClientConnection::connect() {
  control_ = host_.connect(kLibraryHostName, kFtpPort, *this);
  control_out_ = std::make_unique<Outbox>(host_, control_);
}

void FtpClientConnection::start(FtpClientOperation operation) {
  deliver([op = std::move(operation)](FtpClientSession& s, Timestamp at) mutable {
    return s.start(std::move(op), at);
  });
}

void FtpClientConnection::quit() {
  deliver([](FtpClientSession& s, Timestamp at) { return s.quit(at); });
}

void FtpClientConnection::abort() {
  for (const auto& [id, d] : data_) {
    host_.network().reset(id, host_.name());
    host_.forget(id);
  }
  data_.clear();
  if (control_ != 0 && !closed_) {
    host_.network().reset(control_, host_.name());
    control_ended();
  }
}

void FtpClientConnection::deliver(const Event& event) {
  perform(event(session_, host_.loop().wall_now()));
}

void FtpClientConnection::defer(std::string label, std::function<void(FtpClientConnection&)> action) {
  std::weak_ptr<FtpClientConnection> self = weak_from_this();
  host_.loop().schedule_after(0, std::move(label), [self, action = std::move(action)] {
    if (auto connection = self.lock()) action(*connection);
  });
}

ConnectionId FtpClientConnection::connection_of(DataConnectionId data) const {
  for (const auto& [id, d] : data_) {
    if (d.data == data) return id;
  }
  return 0;
}

void FtpClientConnection::perform(FtpClientActions actions) {
  for (auto& action : actions) {
    std::visit(
        Overloaded{
            [&](FtpSendCommand& a) {
              if (control_out_) control_out_->write(a.line);
            },
            [&](FtpClientStartControlTls&) {
              ModelledTls::Output out = control_tls_.start_client(std::nullopt);
              if (control_out_) control_out_->write(out.to_send);
            },
            [&](FtpConnectData& a) {
              const ConnectionId id = host_.connect(kLibraryHostName, a.port, *this);
              DataConnection d{a.data, Outbox(host_, id)};
              data_.emplace(id, std::move(d));
            },
            [&](FtpClientSendData& a) {
              const ConnectionId id = connection_of(a.data);
              auto it = data_.find(id);
              if (it == data_.end()) return;
              if (it->second.out.write(a.bytes)) {
                const DataConnectionId data = a.data;
                defer("ftp client data sent", [data](FtpClientConnection& c) {
                  c.deliver([data](FtpClientSession& s, Timestamp at) {
                    return s.on_data_writable(data, at);
                  });
                });
              } else {
                it->second.writable_wanted = true;
              }
            },
            [&](FtpClientCloseData& a) {
              const ConnectionId id = connection_of(a.data);
              auto it = data_.find(id);
              if (it == data_.end()) return;
              if (a.graceful) {
                it->second.closing = true;
                it->second.out.close_when_sent();
              } else {
                host_.network().reset(id, host_.name());
                host_.forget(id);
                data_.erase(it);
              }
            },
            [&](FtpClientCloseControl&) {
              if (control_out_) control_out_->close_when_sent();
            },
            [&](FtpReportOutcome& a) {
              defer("ftp outcome " + std::to_string(a.outcome.operation),
                    [outcome = a.outcome](FtpClientConnection& c) { c.on_outcome_(outcome); });
            },
        },
        action);
  }
}

void FtpClientConnection::on_connected(ConnectionId id) {
  if (id == control_) {
    deliver([](FtpClientSession& s, Timestamp at) { return s.on_connected(at); });
    return;
  }
  auto it = data_.find(id);
  if (it == data_.end()) return;
  const DataConnectionId data = it->second.data;
  std::optional<std::string> offer;
  if (resume_data_tls_ && control_tls_.state() == ModelledTls::State::kEstablished) {
    offer = control_tls_.session_id();
  }
  ModelledTls::Output out = it->second.tls.start_client(offer);
  it->second.out.write(out.to_send);
  deliver([data](FtpClientSession& s, Timestamp at) { return s.on_data_connected(data, at); });
}

void FtpClientConnection::on_data(ConnectionId id, ByteView data) {
  if (id == control_) return on_control_data(data);
  auto it = data_.find(id);
  if (it == data_.end()) return;
  on_data_connection_data(id, it->second, data);
}

void FtpClientConnection::on_control_data(ByteView data) {
  if (!control_tls_.handshaking()) {
    deliver([data](FtpClientSession& s, Timestamp at) { return s.on_control_bytes(data, at); });
    return;
  }
  ModelledTls::Output out = control_tls_.on_bytes(data);
  if (!out.to_send.empty() && control_out_) control_out_->write(out.to_send);
  if (out.failed_now) {
    host_.network().reset(control_, host_.name());
    return control_ended();
  }
  if (out.established_now) {
    deliver([](FtpClientSession& s, Timestamp at) { return s.on_control_tls_established(at); });
  }
  if (!out.application.empty()) {
    deliver([&out](FtpClientSession& s, Timestamp at) {
      return s.on_control_bytes(out.application, at);
    });
  }
}

void FtpClientConnection::on_data_connection_data(ConnectionId id, DataConnection& d, ByteView data) {
  const DataConnectionId data_id = d.data;
  if (!d.tls.handshaking()) {
    deliver([data_id, data](FtpClientSession& s, Timestamp at) {
      return s.on_data_bytes(data_id, data, at);
    });
    return;
  }
  ModelledTls::Output out = d.tls.on_bytes(data);
  if (!out.to_send.empty()) d.out.write(out.to_send);
  if (out.failed_now) {
    host_.network().reset(id, host_.name());
    host_.forget(id);
    data_.erase(id);
    deliver([data_id](FtpClientSession& s, Timestamp at) {
      return s.on_data_closed(data_id, DataCloseReason::kReset, at);
    });
    return;
  }
  if (out.established_now) {
    deliver([data_id](FtpClientSession& s, Timestamp at) {
      return s.on_data_tls_established(data_id, at);
    });
  }
  if (!out.application.empty()) {
    deliver([data_id, &out](FtpClientSession& s, Timestamp at) {
      return s.on_data_bytes(data_id, out.application, at);
    });
  }
}

void FtpClientConnection::on_writable(ConnectionId id) {
  if (id == control_) {
    if (control_out_) control_out_->flush();
    return;
  }
  auto it = data_.find(id);
  if (it == data_.end()) return;
  if (it->second.out.flush() && it->second.writable_wanted) {
    it->second.writable_wanted = false;
    const DataConnectionId data = it->second.data;
    deliver([data](FtpClientSession& s, Timestamp at) { return s.on_data_writable(data, at); });
  }
}

void FtpClientConnection::on_closed(ConnectionId id, CloseKind kind) {
  if (id == control_) {
    if (kind == CloseKind::kPeerClosed && control_out_) control_out_->close_when_sent();
    return control_ended();
  }
  auto it = data_.find(id);
  if (it == data_.end()) return;
  const bool closing = it->second.closing;
  const DataConnectionId data = it->second.data;
  if (kind == CloseKind::kPeerClosed) {
    if (it->second.out.empty()) {
      it->second.out.close_when_sent();
    } else {
      host_.network().reset(id, host_.name());
    }
  }
  host_.forget(id);
  data_.erase(it);
  if (closing) return;
  const DataCloseReason reason =
      kind == CloseKind::kPeerClosed ? DataCloseReason::kFinished : DataCloseReason::kReset;
  deliver([data, reason](FtpClientSession& s, Timestamp at) { return s.on_data_closed(data, reason, at); });
}

void FtpClientConnection::control_ended() {
  if (closed_) return;
  closed_ = true;
  for (const auto& [id, d] : data_) {
    host_.network().reset(id, host_.name());
    host_.forget(id);
  }
  data_.clear();
  host_.forget(control_);
  deliver([](FtpClientSession& s, Timestamp at) { return s.on_control_closed(at); });
}

}  // namespace imagelib::sim
