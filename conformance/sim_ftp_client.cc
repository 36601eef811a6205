#include "conformance/sim_ftp_client.h"

#include <algorithm>

#include "conformance/ftp_call.h"
#include "conformance/sim_clock.h"
#include "conformance/sim_plain_ftp_line.h"

namespace imagelib::conformance {
namespace {

// How long one attempt may wait for its outcome before the client gives it up.
constexpr sim::SimTime kAttemptTimeout = 60 * sim::kSecond;
// How long QUIT waits for the server to close the session.
constexpr sim::SimTime kQuitWait = 10 * sim::kSecond;

// RFC 959's transient negative completion (4xx), or no reply at all: the
// command may succeed if it is tried again.
bool is_transient(int reply_code) {
  return reply_code == 0 || (reply_code >= 400 && reply_code < 500);
}

std::string describe(const std::optional<FtpClientOutcome>& outcome) {
  if (!outcome) return "no outcome";
  if (outcome->reply_code == 0) return "the connection broke";
  return outcome->reply_text.substr(0, outcome->reply_text.find('\n'));
}

}  // namespace

SimFtpClient::SimFtpClient(sim::Host& host, Rng rng, sim::SimTime budget)
    : host_(host), rng_(rng), budget_(budget) {}

SimFtpClient::~SimFtpClient() { drop_session(); }

std::optional<FtpClientOutcome> SimFtpClient::open_session(const FtpClientOptions& credentials,
                                                           sim::SimTime deadline) {
  drop_session();
  auto outcomes = std::make_shared<std::map<std::uint64_t, FtpClientOutcome>>();
  auto connection = std::make_shared<sim::FtpClientConnection>(
      host_, credentials, /*resume_data_tls=*/true,
      [outcomes](const FtpClientOutcome& outcome) { (*outcomes)[outcome.operation] = outcome; });
  connection->connect();
  ++counters_.connections;
  session_ = Session{connection, outcomes, 1};
  if (!run_until(
          host_.loop(), [&] { return outcomes->count(0) != 0; }, deadline))
    return std::nullopt;
  return outcomes->at(0);
}

std::optional<FtpClientOutcome> SimFtpClient::perform(FtpClientOperation operation,
                                                      sim::SimTime deadline) {
  const std::uint64_t number = session_->next_operation++;
  auto outcomes = session_->outcomes;
  session_->connection->start(std::move(operation));
  if (!run_until(
          host_.loop(), [&] { return outcomes->count(number) != 0; }, deadline)) {
    return std::nullopt;
  }
  FtpClientOutcome outcome = std::move(outcomes->at(number));
  outcomes->erase(number);
  return outcome;
}

void SimFtpClient::drop_session() {
  if (session_) session_->connection->abort();
  session_.reset();
}

bool SimFtpClient::back_off(int attempt, sim::SimTime deadline) {
  const sim::SimTime delay = retry_delay(attempt, rng_);
  if (host_.loop().now() + delay >= deadline) return false;
  ++counters_.retries;
  run_for(host_.loop(), delay);
  return true;
}

Status SimFtpClient::gave_up(const std::string& what, int attempts, const std::string& last) const {
  return Status(ErrorCode::kConflict, "transport failure: FTP " + what + " did not complete in " +
                                          std::to_string(attempts) + " attempts within " +
                                          std::to_string(budget_ / sim::kSecond) +
                                          " s of virtual time (last: " + last + ")");
}

Result<FtpReply> SimFtpClient::login(const std::string& user, const std::string& password) {
  credentials_.reset();
  const FtpClientOptions options{.user = user, .password = password};
  const sim::SimTime deadline = host_.loop().now() + budget_;
  for (int attempt = 1;; ++attempt) {
    auto outcome = open_session(options, std::min(deadline, host_.loop().now() + kAttemptTimeout));
    if (outcome && (!is_transient(outcome->reply_code) || !retries_)) {
      if (outcome->ok) credentials_ = options;
      return reply_from_outcome(*outcome);
    }
    drop_session();
    if (!retries_ || !back_off(attempt, deadline)) {
      return gave_up("login", attempt, describe(outcome));
    }
  }
}

Result<FtpReply> SimFtpClient::plain_line(const std::string& line) {
  const sim::SimTime deadline = host_.loop().now() + budget_;
  for (int attempt = 1;; ++attempt) {
    SimPlainFtpLine probe(host_, line);
    ++counters_.connections;
    run_until(
        host_.loop(), [&] { return probe.finished(); },
        std::min(deadline, host_.loop().now() + kAttemptTimeout));
    if (probe.reply() && !is_transient(probe.reply()->code)) {
      return reply_from_text(probe.reply()->lines.empty() ? "" : probe.reply()->lines.front());
    }
    const std::string last = probe.reply() ? probe.reply()->text() : "the connection broke";
    if (!back_off(attempt, deadline))
      return gave_up("\"" + line + "\" in plain text", attempt, last);
  }
}

Result<FtpReply> SimFtpClient::run(const FtpCall& call) {
  if (!has_open_session() && !credentials_) {
    return Status(ErrorCode::kConflict, "no FTP session: log in first");
  }
  const sim::SimTime deadline = host_.loop().now() + budget_;
  FtpCall current = call;
  Bytes received;  // a download's bytes from attempts that broke
  for (int attempt = 1;; ++attempt) {
    const sim::SimTime attempt_deadline = std::min(deadline, host_.loop().now() + kAttemptTimeout);
    std::optional<FtpClientOutcome> outcome;
    bool ready = has_open_session();
    if (!ready) {
      if (!credentials_)
        return gave_up("session", attempt, "the session broke before a login succeeded");
      outcome = open_session(*credentials_, attempt_deadline);
      ready = outcome && outcome->ok;
      // The password stopped working (reset meanwhile): that is the answer.
      if (outcome && !ready && !is_transient(outcome->reply_code))
        return reply_from_outcome(*outcome);
    }
    if (ready) outcome = perform(to_client_operation(current), attempt_deadline);
    if (outcome && (!is_transient(outcome->reply_code) || !retries_)) {
      FtpReply reply = reply_from_outcome(*outcome);
      if (call.op == FtpOp::kGet) {
        received.insert(received.end(), reply.data.begin(), reply.data.end());
        reply.data = std::move(received);
      }
      return reply;
    }
    // The network broke it: start again on a new connection, resuming transfers.
    if (outcome && call.op == FtpOp::kGet) {
      received.insert(received.end(), outcome->data.begin(), outcome->data.end());
      current.offset = call.offset + received.size();
    }
    if (call.op == FtpOp::kPut && current.mode == FtpCall::PutMode::kStore) {
      current.mode = FtpCall::PutMode::kResume;
    }
    drop_session();
    if (!retries_ || !back_off(attempt, deadline)) {
      return gave_up("operation", attempt, describe(outcome));
    }
  }
}

Result<FtpReply> SimFtpClient::quit() {
  if (!session_ && !credentials_)
    return Status(ErrorCode::kConflict, "no FTP session: log in first");
  if (has_open_session()) {
    auto connection = session_->connection;
    connection->quit();
    run_until(
        host_.loop(), [&] { return connection->is_closed(); }, host_.loop().now() + kQuitWait);
  }
  drop_session();
  credentials_.reset();
  return FtpReply{221, "221 Goodbye.", {}, 0};
}

}  // namespace imagelib::conformance
