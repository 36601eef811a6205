// Host: a simulated machine's network stack as its programs see it. It
// routes the Network's events for each connection to the ConnectionHandler
// that owns the connection, and accepts on listening ports through a
// callback per port. Outbox keeps the bytes a connection could not send yet
// (back-pressure) and closes after the last one when asked.
// Single-threaded; used by the library host and the client hosts.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "simulator/event_loop.h"
#include "simulator/network.h"

namespace imagelib::sim {

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void on_connected(ConnectionId id) = 0;
  virtual void on_data(ConnectionId id, ByteView data) = 0;
  virtual void on_writable(ConnectionId id) = 0;
  virtual void on_closed(ConnectionId id, CloseKind kind) = 0;
};

class Host final : public HostHandler {
 public:
  using AcceptCallback = std::function<void(ConnectionId)>;

  Host(EventLoop& loop, Network& network, HostId name);
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const HostId& name() const { return name_; }
  EventLoop& loop() { return loop_; }
  Network& network() { return network_; }

  void listen(int port, AcceptCallback on_accept);
  void stop_listening(int port);
  // Starts a connection whose events go to `handler`.
  ConnectionId connect(const HostId& to, int port, ConnectionHandler& handler);
  // Routes the events of an accepted connection to `handler`.
  void adopt(ConnectionId id, ConnectionHandler& handler) { owners_[id] = &handler; }
  // No more events for `id` (the owner is going away or is done with it).
  void forget(ConnectionId id) { owners_.erase(id); }
  // Drops every route and listener: the host's programs died (crash).
  void forget_everything();

  // HostHandler
  void on_accept(ConnectionId id, int port) override;
  void on_connected(ConnectionId id) override;
  void on_data(ConnectionId id, ByteView data) override;
  void on_writable(ConnectionId id) override;
  void on_closed(ConnectionId id, CloseKind kind) override;

 private:
  ConnectionHandler* owner(ConnectionId id) const;

  EventLoop& loop_;
  Network& network_;
  HostId name_;
  std::map<int, AcceptCallback> listeners_;
  std::map<ConnectionId, ConnectionHandler*> owners_;
};

class Outbox {
 public:
  Outbox(Host& host, ConnectionId id) : host_(&host), id_(id) {}

  // Queues bytes and sends what the network takes; true when all is sent.
  bool write(ByteView bytes);
  bool write(std::string_view text);
  // Sends more after on_writable; true when nothing is left.
  bool flush();
  bool empty() const { return sent_ == pending_.size(); }
  // Closes (FIN) once everything queued is sent.
  void close_when_sent();
  ConnectionId id() const { return id_; }

 private:
  Host* host_;
  ConnectionId id_;
  Bytes pending_;
  std::size_t sent_ = 0;  // bytes of pending_ already accepted by the network
  bool close_requested_ = false;
  bool closed_ = false;
};

}  // namespace imagelib::sim
