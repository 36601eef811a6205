// FtpClientConnection: the simulator as the environment of one
// FtpClientSession (see the driving contract in ftp_client_session.h) on a
// client host: the control connection to the library host, the data
// connections the core asks for, modelled TLS on each. Data connections
// resume the control connection's TLS session unless `resume_data_tls` is
// false (a misbehaving client, to exercise the server's `522`). Outcomes are
// reported as separate events, so the owner may start the next operation
// from its callback. Owned by a workload actor through a shared_ptr;
// deferred events hold a weak_ptr and do nothing once it is gone.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "reference/ftp/ftp_client_session.h"
#include "simulator/host.h"
#include "simulator/modelled_tls.h"

namespace imagelib::sim {

class FtpClientConnection final : public ConnectionHandler,
                                  public std::enable_shared_from_this<FtpClientConnection> {
 public:
  using OutcomeCallback = std::function<void(const FtpClientOutcome&)>;

  FtpClientConnection(Host& host, FtpClientOptions options, bool resume_data_tls,
                      OutcomeCallback on_outcome);
  ~FtpClientConnection() override;
  FtpClientConnection(const FtpClientConnection&) = delete;
  FtpClientConnection& operator=(const FtpClientConnection&) = delete;

  // Connects the control connection to the library host.
  void connect();
  void start(FtpClientOperation operation);
  void quit();
  // Resets every connection at once (a client giving up after a timeout).
  void abort();
  // The control connection is over (closed, reset or refused).
  bool is_closed() const { return closed_; }

  void on_connected(ConnectionId id) override;
  void on_data(ConnectionId id, ByteView data) override;
  void on_writable(ConnectionId id) override;
  void on_closed(ConnectionId id, CloseKind kind) override;

 private:
  using Event = std::function<FtpClientActions(FtpClientSession&, Timestamp)>;
  struct DataConnection {
    DataConnectionId data = 0;
    Outbox out;
    ModelledTls tls{ModelledTls::Role::kClient};
    bool writable_wanted = false;
    bool closing = false;
  };

  void deliver(const Event& event);
  void defer(std::string label, std::function<void(FtpClientConnection&)> action);
  void perform(FtpClientActions actions);
  void on_control_data(ByteView data);
  void on_data_connection_data(ConnectionId id, DataConnection& d, ByteView data);
  void control_ended();
  ConnectionId connection_of(DataConnectionId data) const;

  Host& host_;
  FtpClientSession session_;
  bool resume_data_tls_;
  OutcomeCallback on_outcome_;
  ConnectionId control_ = 0;
  std::unique_ptr<Outbox> control_out_;
  ModelledTls control_tls_{ModelledTls::Role::kClient};
  std::map<ConnectionId, DataConnection> data_;
  bool closed_ = false;
};

}  // namespace imagelib::sim
