// FtpClientSession: the events, the login over explicit TLS (AUTH TLS, USER,
// PASS, PBSZ 0, PROT P), the queue of operations and QUIT.
#include "reference/ftp/ftp_client_session.h"

#include "reference/ftp/ftp_client_state.h"

namespace imagelib {

using State = FtpClientSession::State;

void State::send(std::string_view line) {
  out.emplace_back(std::in_place_type<FtpSendCommand>, FtpSendCommand{std::string(line) + "\r\n"});
}

void State::report(FtpClientOutcome outcome) {
  out.emplace_back(std::in_place_type<FtpReportOutcome>, FtpReportOutcome{std::move(outcome)});
}

void State::on_reply(const FtpReply& reply) {
  if (phase == Phase::kReady && running) {
    on_operation_reply(reply);
  } else if (phase == Phase::kQuitting) {
    if (reply.code == 221) close("");
  } else if (phase < Phase::kReady) {
    on_login_reply(reply);
  }
  // Anything else (a 421 before the server closes, a late reply) changes nothing.
}

void State::on_login_reply(const FtpReply& reply) {
  switch (phase) {
    case Phase::kGreeting:
      if (reply.code != 220) return fail_login(reply.code, reply.text());
      send("AUTH TLS");
      phase = Phase::kAuth;
      return;
    case Phase::kAuth:
      if (reply.code != 234) return fail_login(reply.code, reply.text());
      out.emplace_back(std::in_place_type<FtpClientStartControlTls>);
      phase = Phase::kHandshake;
      return;
    case Phase::kUser:
      if (reply.code == 331) {
        send("PASS " + options.password);
        phase = Phase::kPass;
        return;
      }
      [[fallthrough]];
    case Phase::kPass:
      if (reply.code != 230) return fail_login(reply.code, reply.text());
      login_reply = reply;
      send("PBSZ 0");
      phase = Phase::kPbsz;
      return;
    case Phase::kPbsz:
      if (reply.code != 200) return fail_login(reply.code, reply.text());
      send("PROT P");
      phase = Phase::kProt;
      return;
    case Phase::kProt:
      if (reply.code != 200) return fail_login(reply.code, reply.text());
      phase = Phase::kReady;
      report(FtpClientOutcome{0, true, login_reply->code, login_reply->text(), {}, 0});
      start_next();
      return;
    default:
      return;  // no reply is due while connecting or during the handshake
  }
}

void State::fail_login(int code, std::string text) {
  report(FtpClientOutcome{0, false, code, text, {}, 0});
  while (!queue.empty()) {
    report(FtpClientOutcome{queue.front().first, false, code, text, {}, 0});
    queue.pop_front();
  }
  out.emplace_back(std::in_place_type<FtpClientCloseControl>);
  phase = Phase::kClosed;
}

void State::start_next() {
  if (phase != Phase::kReady || running) return;
  if (!queue.empty()) {
    FtpClientRun run;
    run.outcome.operation = queue.front().first;
    run.operation = std::move(queue.front().second);
    queue.pop_front();
    begin(std::move(run));
    return;
  }
  if (quit_requested) {
    send("QUIT");
    phase = Phase::kQuitting;
  }
}

void State::close(std::string_view why) {
  const std::string text(why);
  if (phase < Phase::kReady) report(FtpClientOutcome{0, false, 0, text, {}, 0});
  if (running) {
    if (running->data && !running->data_ended) {
      out.emplace_back(std::in_place_type<FtpClientCloseData>, FtpClientCloseData{*running->data, false});
    }
    FtpClientOutcome outcome = std::move(running->outcome);
    running.reset();
    outcome.ok = false;
    outcome.reply_code = 0;
    outcome.reply_text = text;
    report(std::move(outcome));
  }
  while (!queue.empty()) {
    report(FtpClientOutcome{queue.front().first, false, 0, text, {}, 0});
    queue.pop_front();
  }
  if (phase != Phase::kClosed) out.emplace_back(std::in_place_type<FtpClientCloseControl>);
  phase = Phase::kClosed;
}

// --- the public face ---

FtpClientSession::FtpClientSession(FtpClientOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

FtpClientSession::~FtpClientSession() = default;

FtpClientActions FtpClientSession::start(FtpClientOperation operation, Timestamp at) {
  State& s = *state_;
  s.now = at;
  const std::uint64_t number = ++s.operations_started;
  if (s.phase == State::Phase::kClosed || s.phase == State::Phase::kQuitting || s.quit_requested) {
    s.report(FtpClientOutcome{number, false, 0, "The session is closed or closing.", {}, 0});
  } else {
    s.queue.emplace_back(number, std::move(operation));
    s.start_next();
  }
  return std::exchange(s.out, {});
}

FtpClientActions FtpClientSession::quit(Timestamp at) {
  State& s = *state_;
  s.now = at;
  if (s.phase == State::Phase::kClosed || s.quit_requested) return {};
  s.quit_requested = true;
  if (s.phase < State::Phase::kReady) {
    s.close("Quit before the login ended.");
  } else {
    s.start_next();
  }
  return std::exchange(s.out, {});
}

FtpClientActions FtpClientSession::on_connected(Timestamp at) {
  State& s = *state_;
  if (s.phase != State::Phase::kConnecting) return {};
  s.now = at;
  s.phase = State::Phase::kGreeting;
  return std::exchange(s.out, {});
}

FtpClientActions FtpClientSession::on_control_bytes(ByteView bytes, Timestamp at) {
  State& s = *state_;
  if (s.phase == State::Phase::kClosed) return {};
  s.now = at;
  s.reader.append(bytes);
  while (s.phase != State::Phase::kClosed) {
    auto reply = s.reader.next_reply();
    if (!reply) break;
    s.on_reply(*reply);
  }
  return std::exchange(s.out, {});
}

FtpClientActions FtpClientSession::on_control_tls_established(Timestamp at) {
  State& s = *state_;
  if (s.phase != State::Phase::kHandshake) return {};
  s.now = at;
  // Whatever came in plain text after 234 is not trusted.
  s.reader = FtpReplyReader();
  s.send("USER " + s.options.user);
  s.phase = State::Phase::kUser;
  return std::exchange(s.out, {});
}

FtpClientActions FtpClientSession::on_control_closed(Timestamp at) {
  State& s = *state_;
  if (s.phase == State::Phase::kClosed) return {};
  s.now = at;
  s.close("The control connection closed.");
  // The environment closed it already: no action for it.
  if (!s.out.empty() && std::holds_alternative<FtpClientCloseControl>(s.out.back())) s.out.pop_back();
  return std::exchange(s.out, {});
}

bool FtpClientSession::is_logged_in() const {
  return state_->phase == State::Phase::kReady || state_->phase == State::Phase::kQuitting;
}

bool FtpClientSession::is_closed() const { return state_->phase == State::Phase::kClosed; }

bool FtpClientSession::is_idle() const { return !state_->running && state_->queue.empty(); }

}  // namespace imagelib
