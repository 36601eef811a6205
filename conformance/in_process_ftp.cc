#include "conformance/in_process_ftp.h"

#include <type_traits>

namespace imagelib::conformance {
namespace {

constexpr const char* kPeer = "127.0.0.1";
constexpr const char* kControlTlsId = "in-process-tls";

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

}  // namespace

InProcessFtp::InProcessFtp(Library& library, const std::string& user, const std::string& password,
                           Timestamp at)
    : server_(library, FtpServerOptions{}, kPeer), client_(FtpClientOptions{user, password}) {
  on_server(server_.on_connected(at), at);
  on_client(client_.on_connected(at), at);
  pump(at);
  if (last_outcome_) login_ = *last_outcome_;
  last_outcome_.reset();
}

FtpClientOutcome InProcessFtp::run(FtpClientOperation operation, Timestamp at) {
  on_client(client_.start(std::move(operation), at), at);
  pump(at);
  FtpClientOutcome outcome = last_outcome_.value_or(FtpClientOutcome{});
  last_outcome_.reset();
  return outcome;
}

void InProcessFtp::quit(Timestamp at) {
  on_client(client_.quit(at), at);
  pump(at);
}

void InProcessFtp::pump(Timestamp /*at*/) {
  while (true) {
    while (!pending_.empty()) {
      auto next = std::move(pending_.front());
      pending_.pop_front();
      next();
    }
    // Time moves to the server's wake-up only when nothing else can happen
    // and the client still waits for an answer (a delayed failed login).
    if (last_outcome_ || !wake_ || client_.is_closed()) break;
    const Timestamp wake = *wake_;
    wake_.reset();
    on_server(server_.on_wake(wake), wake);
  }
}

// The handshake ends once both sides asked for it, after what is queued.
void InProcessFtp::queue_control_handshake(Timestamp at) {
  pending_.push_back([this, at] {
    if (!(client_wants_tls_ && server_wants_tls_)) return;
    client_wants_tls_ = server_wants_tls_ = false;
    on_server(server_.on_control_tls_established(kControlTlsId, at), at);
    on_client(client_.on_control_tls_established(at), at);
  });
}

void InProcessFtp::on_client(FtpClientActions actions, Timestamp at) {
  for (auto& action : actions) {
    std::visit(
        Overloaded{
            [&](FtpSendCommand& a) {
              pending_.push_back([this, line = a.line, at] {
                on_server(server_.on_control_bytes(bytes_of(line), at), at);
              });
            },
            [&](FtpClientStartControlTls&) {
              client_wants_tls_ = true;
              queue_control_handshake(at);
            },
            [&](FtpConnectData& a) {
              const DataConnectionId server_id = next_server_data_++;
              server_data_of_client_[a.data] = server_id;
              client_data_of_server_[server_id] = a.data;
              pending_.push_back([this, client_id = a.data, server_id, at] {
                on_client(client_.on_data_connected(client_id, at), at);
                on_server(server_.on_data_connection_accepted(server_id, kPeer, at), at);
              });
            },
            [&](FtpClientSendData& a) {
              pending_.push_back([this, client_id = a.data, bytes = std::move(a.bytes), at] {
                on_server(server_.on_data_bytes(server_data_of_client_[client_id], bytes, at), at);
                on_client(client_.on_data_writable(client_id, at), at);
              });
            },
            [&](FtpClientCloseData& a) {
              pending_.push_back([this, client_id = a.data, graceful = a.graceful, at] {
                on_server(server_.on_data_closed(server_data_of_client_[client_id],
                                                 graceful ? DataCloseReason::kFinished
                                                          : DataCloseReason::kReset,
                                                 at),
                          at);
              });
            },
            [&](FtpClientCloseControl&) {
              pending_.push_back([this, at] { on_server(server_.on_control_closed(at), at); });
            },
            [&](FtpReportOutcome& a) {
              if (a.outcome.operation == 0) login_ = a.outcome;
              last_outcome_ = std::move(a.outcome);
            },
        },
        action);
  }
}

void InProcessFtp::on_server(FtpServerActions actions, Timestamp at) {
  for (auto& action : actions) {
    std::visit(
        Overloaded{
            [&](FtpSendReply& a) {
              pending_.push_back([this, text = a.text, at] {
                on_client(client_.on_control_bytes(bytes_of(text), at), at);
              });
            },
            [&](FtpStartControlTls&) {
              server_wants_tls_ = true;
              queue_control_handshake(at);
            },
            [&](FtpOpenPassiveListener&) {
              pending_.push_back([this, at] {
                on_server(server_.on_passive_listener_opened(++passive_port_, kPeer, at), at);
              });
            },
            [&](FtpClosePassiveListener&) {},
            [&](FtpRefuseDataConnection& a) {
              pending_.push_back([this, client_id = client_data_of_server_[a.data], at] {
                on_client(client_.on_data_closed(client_id, DataCloseReason::kReset, at), at);
              });
            },
            [&](FtpStartDataTls& a) {
              pending_.push_back([this, server_id = a.data, at] {
                on_server(server_.on_data_tls_established(server_id, std::string(kControlTlsId), at),
                          at);
                on_client(client_.on_data_tls_established(client_data_of_server_[server_id], at), at);
              });
            },
            [&](FtpSendData& a) {
              pending_.push_back([this, server_id = a.data, bytes = std::move(a.bytes), at] {
                on_client(client_.on_data_bytes(client_data_of_server_[server_id], bytes, at), at);
                on_server(server_.on_data_writable(server_id, at), at);
              });
            },
            [&](FtpCloseData& a) {
              pending_.push_back([this, server_id = a.data, graceful = a.graceful, at] {
                on_client(client_.on_data_closed(client_data_of_server_[server_id],
                                                 graceful ? DataCloseReason::kFinished
                                                          : DataCloseReason::kReset,
                                                 at),
                          at);
              });
            },
            [&](FtpWakeAt& a) { wake_ = a.at; },
            [&](FtpCloseControl&) {
              pending_.push_back([this, at] { on_client(client_.on_control_closed(at), at); });
            },
        },
        action);
  }
}

std::string InProcessFtp::plain_reply(Library& library, const std::string& line, Timestamp at) {
  FtpServerSession server(library, FtpServerOptions{}, kPeer);
  (void)server.on_connected(at);
  std::string reply;
  for (auto& action : server.on_control_bytes(bytes_of(line + "\r\n"), at)) {
    if (auto* send = std::get_if<FtpSendReply>(&action)) reply += send->text;
  }
  return reply;
}

}  // namespace imagelib::conformance
