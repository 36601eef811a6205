#include "reference/ftp/ftp_wire.h"

#include <variant>

namespace imagelib::testing {
namespace {

constexpr std::string_view kControlTlsId = "wire-control-tls";

std::string data_channel(std::string_view direction, DataConnectionId id) {
  return std::string(direction) + "-data-" + std::to_string(id);
}

}  // namespace

FtpWire::FtpWire(Library& library, FtpClientOptions client_options, FtpServerOptions server_options,
                 std::uint64_t seed, Timestamp start, std::size_t max_piece)
    : server(library, std::move(server_options), std::string(kClientAddress)),
      client(std::move(client_options)),
      now(start),
      rng_(seed),
      max_piece_(max_piece) {}

void FtpWire::connect() {
  apply_server(server.on_connected(now));
  apply_client(client.on_connected(now));
  run_until_quiet();
}

FtpClientOutcome FtpWire::run(FtpClientOperation operation) {
  const std::size_t before = outcomes.size();
  apply_client(client.start(std::move(operation), now));
  run_until_quiet();
  if (outcomes.size() == before) return FtpClientOutcome{0, false, -1, "no outcome", {}, 0};
  return outcomes.back();
}

void FtpWire::quit() {
  apply_client(client.quit(now));
  run_until_quiet();
}

void FtpWire::run_until_quiet() {
  for (;;) {
    std::vector<std::deque<Delivery>*> ready;
    for (auto& [name, queue] : channels_) {
      if (!queue.empty()) ready.push_back(&queue);
    }
    if (ready.empty()) {
      const std::optional<Timestamp> due = server.wake_due();
      if (!due) return;
      now = std::max(now, *due);
      apply_server(server.on_wake(now));
      continue;
    }
    std::deque<Delivery>& queue = *ready[rng_.uniform(ready.size())];
    Delivery delivery = std::move(queue.front());
    queue.pop_front();
    delivery();
  }
}

void FtpWire::queue_bytes(const std::string& channel, const Bytes& bytes,
                          std::function<void(ByteView)> deliver, Delivery after) {
  std::deque<Delivery>& queue = channels_[channel];
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t piece = std::min<std::size_t>(bytes.size() - at, 1 + rng_.uniform(max_piece_));
    Bytes part(bytes.begin() + static_cast<std::ptrdiff_t>(at),
               bytes.begin() + static_cast<std::ptrdiff_t>(at + piece));
    queue.push_back([deliver, part = std::move(part)] { deliver(part); });
    at += piece;
  }
  if (after) queue.push_back(std::move(after));
}

FtpWire::DataLink* FtpWire::link_by_server(DataConnectionId id) {
  for (DataLink& link : links_) {
    if (link.server_id == id) return &link;
  }
  return nullptr;
}

FtpWire::DataLink* FtpWire::link_by_client(DataConnectionId id) {
  for (DataLink& link : links_) {
    if (link.client_id == id) return &link;
  }
  return nullptr;
}

void FtpWire::try_control_handshake() {
  if (!server_tls_requested_ || !client_tls_requested_) return;
  server_tls_requested_ = client_tls_requested_ = false;
  channels_["tls"].push_back([this] {
    apply_server(server.on_control_tls_established(std::string(kControlTlsId), now));
    apply_client(client.on_control_tls_established(now));
  });
}

void FtpWire::apply_server(FtpServerActions actions) {
  for (FtpServerAction& action : actions) {
    if (auto* reply = std::get_if<FtpSendReply>(&action)) {
      queue_bytes("s2c-control", to_bytes(reply->text),
                  [this](ByteView piece) { apply_client(client.on_control_bytes(piece, now)); }, {});
    } else if (std::holds_alternative<FtpStartControlTls>(action)) {
      // The handshake starts once the 234 before it reached the client.
      channels_["s2c-control"].push_back([this] {
        server_tls_requested_ = true;
        try_control_handshake();
      });
    } else if (std::holds_alternative<FtpOpenPassiveListener>(action)) {
      const std::uint16_t port = next_port_++;
      listener_port_ = port;
      channels_["server-env"].push_back(
          [this, port] { apply_server(server.on_passive_listener_opened(port, "127.0.0.1", now)); });
    } else if (std::holds_alternative<FtpClosePassiveListener>(action)) {
      listener_port_.reset();
    } else if (auto* refuse = std::get_if<FtpRefuseDataConnection>(&action)) {
      if (DataLink* link = link_by_server(refuse->data); link && link->open) {
        link->open = false;
        const DataConnectionId id = link->client_id;
        channels_["server-env"].push_back(
            [this, id] { apply_client(client.on_data_closed(id, DataCloseReason::kReset, now)); });
      }
    } else if (auto* tls = std::get_if<FtpStartDataTls>(&action)) {
      if (DataLink* link = link_by_server(tls->data)) {
        const DataConnectionId server_id = link->server_id;
        const DataConnectionId client_id = link->client_id;
        channels_[data_channel("s2c", server_id)].push_back([this, server_id, client_id] {
          DataLink* live = link_by_server(server_id);
          if (live == nullptr || !live->open) return;
          apply_server(server.on_data_tls_established(server_id, std::string(kControlTlsId), now));
          apply_client(client.on_data_tls_established(client_id, now));
        });
      }
    } else if (auto* send = std::get_if<FtpSendData>(&action)) {
      DataLink* link = link_by_server(send->data);
      if (link == nullptr || !link->open) continue;
      const DataConnectionId server_id = link->server_id;
      const DataConnectionId client_id = link->client_id;
      queue_bytes(
          data_channel("s2c", server_id), send->bytes,
          [this, client_id](ByteView piece) { apply_client(client.on_data_bytes(client_id, piece, now)); },
          [this, server_id] { apply_server(server.on_data_writable(server_id, now)); });
    } else if (auto* close = std::get_if<FtpCloseData>(&action)) {
      DataLink* link = link_by_server(close->data);
      if (link == nullptr || !link->open) continue;
      link->open = false;
      const DataConnectionId client_id = link->client_id;
      const DataCloseReason reason = close->graceful ? DataCloseReason::kFinished : DataCloseReason::kReset;
      channels_[data_channel("s2c", link->server_id)].push_back(
          [this, client_id, reason] { apply_client(client.on_data_closed(client_id, reason, now)); });
    } else if (std::holds_alternative<FtpCloseControl>(action)) {
      control_open_ = false;
      channels_["s2c-control"].push_back([this] { apply_client(client.on_control_closed(now)); });
    }
    // FtpWakeAt: run_until_quiet asks server.wake_due() when nothing else is left.
  }
}

void FtpWire::apply_client(FtpClientActions actions) {
  for (FtpClientAction& action : actions) {
    if (auto* command = std::get_if<FtpSendCommand>(&action)) {
      if (!control_open_) continue;
      queue_bytes("c2s-control", to_bytes(command->line),
                  [this](ByteView piece) { apply_server(server.on_control_bytes(piece, now)); }, {});
    } else if (std::holds_alternative<FtpClientStartControlTls>(action)) {
      client_tls_requested_ = true;
      try_control_handshake();
    } else if (auto* connect = std::get_if<FtpConnectData>(&action)) {
      const DataConnectionId client_id = connect->data;
      if (!listener_port_ || *listener_port_ != connect->port) {
        channels_["client-env"].push_back([this, client_id] {
          apply_client(client.on_data_closed(client_id, DataCloseReason::kReset, now));
        });
        continue;
      }
      const DataConnectionId server_id = next_server_data_++;
      links_.push_back(DataLink{server_id, client_id});
      channels_["client-env"].push_back([this, server_id, client_id] {
        apply_server(server.on_data_connection_accepted(server_id, std::string(kClientAddress), now));
        apply_client(client.on_data_connected(client_id, now));
      });
    } else if (auto* send = std::get_if<FtpClientSendData>(&action)) {
      DataLink* link = link_by_client(send->data);
      if (link == nullptr || !link->open) continue;
      const DataConnectionId server_id = link->server_id;
      const DataConnectionId client_id = link->client_id;
      queue_bytes(
          data_channel("c2s", client_id), send->bytes,
          [this, server_id](ByteView piece) { apply_server(server.on_data_bytes(server_id, piece, now)); },
          [this, client_id] { apply_client(client.on_data_writable(client_id, now)); });
    } else if (auto* close = std::get_if<FtpClientCloseData>(&action)) {
      DataLink* link = link_by_client(close->data);
      if (link == nullptr || !link->open) continue;
      link->open = false;
      const DataConnectionId server_id = link->server_id;
      const DataCloseReason reason = close->graceful ? DataCloseReason::kFinished : DataCloseReason::kReset;
      channels_[data_channel("c2s", link->client_id)].push_back(
          [this, server_id, reason] { apply_server(server.on_data_closed(server_id, reason, now)); });
    } else if (std::holds_alternative<FtpClientCloseControl>(action)) {
      if (!control_open_) continue;
      control_open_ = false;
      channels_["c2s-control"].push_back([this] { apply_server(server.on_control_closed(now)); });
    } else if (auto* report = std::get_if<FtpReportOutcome>(&action)) {
      outcomes.push_back(report->outcome);
    }
  }
}

}  // namespace imagelib::testing
