// InProcessFtp: an FtpClientSession wired back to back to an
// FtpServerSession in the same process, with no latency and a TLS that
// always succeeds (the control session's id is resumed on data
// connections). The direct target's FTP transport. Not thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "reference/ftp/ftp_client_session.h"
#include "reference/ftp/ftp_server_session.h"

namespace imagelib::conformance {

class InProcessFtp {
 public:
  // Connects and logs in with the credentials; the login's outcome is
  // login_outcome().
  InProcessFtp(Library& library, const std::string& user, const std::string& password,
               Timestamp at);

  const FtpClientOutcome& login_outcome() const { return login_; }
  bool is_open() const { return !client_.is_closed(); }
  // Runs one operation to its end and returns its outcome.
  FtpClientOutcome run(FtpClientOperation operation, Timestamp at);
  void quit(Timestamp at);

  // The first reply of a session whose client sends `line` in plain text
  // right after the greeting (e.g. "USER acc-xxxxx" before AUTH TLS).
  static std::string plain_reply(Library& library, const std::string& line, Timestamp at);

 private:
  void pump(Timestamp at);
  void on_client(FtpClientActions actions, Timestamp at);
  void on_server(FtpServerActions actions, Timestamp at);
  void queue_control_handshake(Timestamp at);

  FtpServerSession server_;
  FtpClientSession client_;
  std::deque<std::function<void()>> pending_;
  std::map<DataConnectionId, DataConnectionId> server_data_of_client_;
  std::map<DataConnectionId, DataConnectionId> client_data_of_server_;
  DataConnectionId next_server_data_ = 1;
  std::uint16_t passive_port_ = 0;
  bool client_wants_tls_ = false;
  bool server_wants_tls_ = false;
  std::map<DataConnectionId, bool> server_started_data_tls_;
  std::optional<Timestamp> wake_;  // the server's latest FtpWakeAt
  std::optional<FtpClientOutcome> last_outcome_;
  FtpClientOutcome login_;
};

}  // namespace imagelib::conformance
