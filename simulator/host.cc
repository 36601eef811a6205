#include "simulator/host.h"

namespace imagelib::sim {

Host::Host(EventLoop& loop, Network& network, HostId name)
    : loop_(loop), network_(network), name_(std::move(name)) {
  network_.add_host(name_, *this);
}

void Host::listen(int port, AcceptCallback on_accept) {
  listeners_[port] = std::move(on_accept);
  network_.listen(name_, port);
}

void Host::stop_listening(int port) {
  listeners_.erase(port);
  network_.stop_listening(name_, port);
}

ConnectionId Host::connect(const HostId& to, int port, ConnectionHandler& handler) {
  const ConnectionId id = network_.connect(name_, to, port);
  owners_[id] = &handler;
  return id;
}

void Host::forget_everything() {
  for (const auto& [port, callback] : listeners_) network_.stop_listening(name_, port);
  listeners_.clear();
  owners_.clear();
}

ConnectionHandler* Host::owner(ConnectionId id) const {
  auto it = owners_.find(id);
  return it == owners_.end() ? nullptr : it->second;
}

void Host::on_accept(ConnectionId id, int port) {
  auto it = listeners_.find(port);
  if (it == listeners_.end()) {
    network_.reset(id, name_);
    return;
  }
  // Copied: the callback may stop listening on this port.
  AcceptCallback callback = it->second;
  callback(id);
}

void Host::on_connected(ConnectionId id) {
  if (auto* handler = owner(id)) handler->on_connected(id);
}

void Host::on_data(ConnectionId id, ByteView data) {
  if (auto* handler = owner(id)) handler->on_data(id, data);
}

void Host::on_writable(ConnectionId id) {
  if (auto* handler = owner(id)) handler->on_writable(id);
}

void Host::on_closed(ConnectionId id, CloseKind kind) {
  if (auto* handler = owner(id)) handler->on_closed(id, kind);
}

bool Outbox::write(ByteView bytes) {
  if (empty()) {
    pending_.clear();
    sent_ = 0;
  }
  pending_.insert(pending_.end(), bytes.begin(), bytes.end());
  return flush();
}

bool Outbox::write(std::string_view text) {
  return write(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

bool Outbox::flush() {
  if (!empty()) {
    sent_ += host_->network().send(id_, host_->name(), ByteView(pending_).subspan(sent_));
  }
  if (empty() && close_requested_ && !closed_) {
    closed_ = true;
    host_->network().close(id_, host_->name());
  }
  return empty();
}

void Outbox::close_when_sent() {
  close_requested_ = true;
  flush();
}

}  // namespace imagelib::sim
