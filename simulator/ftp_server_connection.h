// FtpServerConnection: the simulator as the environment of one
// FtpServerSession (see the driving contract in ftp_server_session.h): the
// control connection, its passive listener and its data connections on the
// library host, with modelled TLS on each. Completions the contract asks
// the environment to report (listener opened, all data accepted) arrive as
// separate events, so the session is never re-entered. Owned by LibraryHost.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "reference/ftp/ftp_server_session.h"
#include "simulator/host.h"
#include "simulator/modelled_tls.h"

namespace imagelib::sim {

class LibraryHost;

class FtpServerConnection final : public ConnectionHandler {
 public:
  FtpServerConnection(LibraryHost& owner, ConnectionId control);

  // The control connection was accepted: the session greets.
  void start();
  // A connection arrived on this session's passive port.
  void accept_data(ConnectionId id);
  // Every connection of the session goes (the host crashed or it is finished).
  void drop_connections();

  void on_connected(ConnectionId id) override;
  void on_data(ConnectionId id, ByteView data) override;
  void on_writable(ConnectionId id) override;
  void on_closed(ConnectionId id, CloseKind kind) override;

 private:
  using Event = std::function<FtpServerActions(FtpServerSession&, Timestamp)>;
  struct DataConnection {
    Outbox out;
    ModelledTls tls{ModelledTls::Role::kServer};
    bool tls_started = false;
    Bytes early;  // bytes that came before the session asked for TLS
    bool writable_wanted = false;
    bool closing = false;
  };

  // Runs the library's due jobs, hands the event to the session, carries out the actions.
  void deliver(const Event& event);
  // The same, as a later event of the loop.
  void defer(std::string label, Event event);
  void perform(FtpServerActions actions);
  void on_control_data(ByteView data);
  void on_data_connection_data(ConnectionId id, DataConnection& d, ByteView data);
  void close_passive_listener();
  void finish();

  LibraryHost& owner_;
  Host& host_;
  ConnectionId control_;
  FtpServerSession session_;
  Outbox control_out_;
  ModelledTls control_tls_{ModelledTls::Role::kServer};
  std::optional<int> passive_port_;
  std::map<ConnectionId, DataConnection> data_;
  std::optional<Timestamp> wake_at_;
  bool finished_ = false;
};

}  // namespace imagelib::sim
