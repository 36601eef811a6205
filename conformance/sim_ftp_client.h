// SimFtpClient: one actor's FTP client on a simulated client host, behaving
// as a user's FTP program does on a bad network: each call runs the event
// loop until its outcome arrives; when the network breaks an operation (the
// connection closes, or a 4xx transient reply) it reconnects, logs in again
// with the credentials of the last successful login, resumes an upload with
// REST (SIZE, REST n, STOR) and a download from the bytes it already has,
// and gives up with a non-ok Result once the call's virtual time budget is
// spent. Answers that are not transient (2xx, 3xx, 5xx) are returned as they
// are. Built on the simulator's FtpClientConnection (the FTP client core's
// environment). Callers: sim_target.cc. Single-threaded.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "conformance/target.h"
#include "reference/base/rng.h"
#include "simulator/ftp_client_connection.h"
#include "simulator/host.h"

namespace imagelib::conformance {

struct SimFtpCounters {
  std::uint64_t connections = 0;  // control connections opened
  std::uint64_t retries = 0;      // attempts after a transient failure
};

class SimFtpClient {
 public:
  // `budget`: the virtual time one call may take, retries included.
  SimFtpClient(sim::Host& host, Rng rng, sim::SimTime budget);
  ~SimFtpClient();
  SimFtpClient(const SimFtpClient&) = delete;
  SimFtpClient& operator=(const SimFtpClient&) = delete;

  // Logs in over explicit TLS on a new control connection.
  Result<FtpReply> login(const std::string& user, const std::string& password);
  // The reply to `line` sent in plain text right after the greeting, on a
  // connection of its own.
  Result<FtpReply> plain_line(const std::string& line);
  // Any call but login and quit, on the logged-in session.
  Result<FtpReply> run(const FtpCall& call);
  // QUIT, then the session is over.
  Result<FtpReply> quit();

  // Off: a call that the network breaks is not tried again; it answers the
  // broken attempt's reply (0 when the connection broke). For fault steps.
  void set_retries(bool on) { retries_ = on; }

  const SimFtpCounters& counters() const { return counters_; }

 private:
  // One control connection and the outcomes its client core reported.
  struct Session {
    std::shared_ptr<sim::FtpClientConnection> connection;
    std::shared_ptr<std::map<std::uint64_t, FtpClientOutcome>> outcomes;
    std::uint64_t next_operation = 1;
  };

  bool has_open_session() const { return session_ && !session_->connection->is_closed(); }
  // Connects and logs in; the login outcome, or nullopt when none came by `deadline`.
  std::optional<FtpClientOutcome> open_session(const FtpClientOptions& credentials,
                                               sim::SimTime deadline);
  // Runs one operation on the open session until its outcome or `deadline`.
  std::optional<FtpClientOutcome> perform(FtpClientOperation operation, sim::SimTime deadline);
  void drop_session();
  // Waits before the next attempt; false when it would pass `deadline`.
  bool back_off(int attempt, sim::SimTime deadline);
  Status gave_up(const std::string& what, int attempts, const std::string& last) const;

  sim::Host& host_;
  Rng rng_;
  sim::SimTime budget_;
  std::optional<Session> session_;
  // The last successful login's credentials: a broken session is reopened with them.
  std::optional<FtpClientOptions> credentials_;
  bool retries_ = true;
  SimFtpCounters counters_;
};

}  // namespace imagelib::conformance
