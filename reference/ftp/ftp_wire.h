// FtpWire: a client core and a server core wired back to back, for tests. It
// plays both environments at once: control and data bytes cross in pieces
// of random sizes, connections deliver in order but interleave at random
// with each other (so a `226` may overtake the end of its data), TLS
// handshakes end when both sides asked for them, and virtual time jumps to
// the server's wake-up only when nothing else can happen. One seed gives one
// run. Tests only.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reference/base/rng.h"
#include "reference/ftp/ftp_client_session.h"
#include "reference/ftp/ftp_server_session.h"

namespace imagelib::testing {

class FtpWire {
 public:
  static constexpr std::string_view kClientAddress = "192.0.2.10";

  FtpWire(Library& library, FtpClientOptions client_options, FtpServerOptions server_options,
          std::uint64_t seed, Timestamp start, std::size_t max_piece = 64);

  FtpServerSession server;
  FtpClientSession client;
  Timestamp now;
  std::vector<FtpClientOutcome> outcomes;

  // Connects the two and runs until nothing is left to happen.
  void connect();
  // Starts an operation and runs until nothing is left to happen; returns its outcome.
  FtpClientOutcome run(FtpClientOperation operation);
  void quit();
  // Runs every pending delivery, in a random interleaving of the connections.
  void run_until_quiet();

 private:
  struct DataLink {
    DataConnectionId server_id;
    DataConnectionId client_id;
    bool server_tls_requested = false;
    bool open = true;
  };
  using Delivery = std::function<void()>;

  void apply_server(FtpServerActions actions);
  void apply_client(FtpClientActions actions);
  // Queues `bytes` on a channel in pieces, then `after` once they are through.
  void queue_bytes(const std::string& channel, const Bytes& bytes,
                   std::function<void(ByteView)> deliver, Delivery after);
  void try_control_handshake();
  DataLink* link_by_server(DataConnectionId id);
  DataLink* link_by_client(DataConnectionId id);

  Rng rng_;
  std::size_t max_piece_;
  std::map<std::string, std::deque<Delivery>> channels_;
  bool server_tls_requested_ = false;
  bool client_tls_requested_ = false;
  std::optional<std::uint16_t> listener_port_;
  std::uint16_t next_port_ = 50000;
  DataConnectionId next_server_data_ = 100;
  std::vector<DataLink> links_;
  bool control_open_ = true;
};

}  // namespace imagelib::testing
