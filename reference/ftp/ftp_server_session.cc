// FtpServerSession: the events, the command loop, login and TLS of the
// control channel, and the commands that only talk (SPEC §4).
#include "reference/ftp/ftp_server_session.h"

#include <algorithm>
#include <array>
#include <utility>

#include "reference/base/error_table.h"
#include "reference/ftp/ftp_reply.h"
#include "reference/ftp/ftp_server_state.h"

namespace imagelib {
namespace {

using State = FtpServerSession::State;

struct CommandEntry {
  std::string_view verb;
  bool needs_argument;
  void (*run)(State& state, const FtpCommand& command);
};

void not_implemented(State& s, const FtpCommand& c) { s.reply(502, c.verb + " not implemented."); }

// The commands of a logged-in session, sorted by verb (HELP lists them).
constexpr std::array<CommandEntry, 47> kCommands{{
    {"ABOR", false, [](State& s, const FtpCommand&) { s.reply(225, "No transfer to ABOR."); }},
    {"ACCT", false, not_implemented},
    {"ALLO", false, [](State& s, const FtpCommand&) { s.reply(202, "ALLO command ignored."); }},
    {"APPE", true, [](State& s, const FtpCommand& c) { s.run_data_command(c); }},
    {"AUTH", false, [](State& s, const FtpCommand&) { s.reply(503, "Already using TLS."); }},
    {"CDUP", false, [](State& s, const FtpCommand&) { s.run_cwd(".."); }},
    {"CWD", true, [](State& s, const FtpCommand& c) { s.run_cwd(c.argument); }},
    {"DELE", true, [](State& s, const FtpCommand& c) { s.run_dele(c.argument); }},
    {"EPRT", false,
     [](State& s, const FtpCommand&) { s.reply(502, "Active mode is not supported; use EPSV."); }},
    {"EPSV", false, [](State& s, const FtpCommand& c) { s.run_passive(true, c.argument); }},
    {"FEAT", false, [](State& s, const FtpCommand&) { s.run_feat(); }},
    {"HELP", false, [](State& s, const FtpCommand&) { s.run_help(); }},
    {"LIST", false, [](State& s, const FtpCommand& c) { s.run_data_command(c); }},
    {"MDTM", true, [](State& s, const FtpCommand& c) { s.run_mdtm(c.argument); }},
    {"MKD", true, [](State& s, const FtpCommand& c) { s.run_mkd(c.argument); }},
    {"MLSD", false, [](State& s, const FtpCommand& c) { s.run_data_command(c); }},
    {"MLST", false, [](State& s, const FtpCommand& c) { s.run_mlst(c.argument); }},
    {"MODE", true,
     [](State& s, const FtpCommand& c) {
       if (ascii_upper(c.argument) == "S") {
         s.reply(200, "Mode set to S.");
       } else {
         s.reply(504, "Bad MODE command.");
       }
     }},
    {"NLST", false, [](State& s, const FtpCommand& c) { s.run_data_command(c); }},
    {"NOOP", false, [](State& s, const FtpCommand&) { s.reply(200, "NOOP ok."); }},
    {"OPTS", true, [](State& s, const FtpCommand& c) { s.run_opts(c.argument); }},
    {"PASS", false, [](State& s, const FtpCommand&) { s.reply(230, "Already logged in."); }},
    {"PASV", false, [](State& s, const FtpCommand& c) { s.run_passive(false, c.argument); }},
    {"PBSZ", false, [](State& s, const FtpCommand&) { s.reply(200, "PBSZ set to 0."); }},
    {"PORT", false,
     [](State& s, const FtpCommand&) { s.reply(502, "Active mode is not supported; use PASV."); }},
    {"PROT", true, [](State& s, const FtpCommand& c) { s.run_prot(c.argument); }},
    {"PWD", false,
     [](State& s, const FtpCommand&) { s.reply(257, "\"" + s.cwd + "\" is the current directory"); }},
    {"QUIT", false, [](State& s, const FtpCommand&) { s.run_quit(); }},
    {"REIN", false, not_implemented},
    {"REST", true, [](State& s, const FtpCommand& c) { s.run_rest(c.argument); }},
    {"RETR", true, [](State& s, const FtpCommand& c) { s.run_data_command(c); }},
    {"RMD", true, [](State& s, const FtpCommand& c) { s.run_rmd(c.argument); }},
    {"RNFR", true, [](State& s, const FtpCommand& c) { s.run_rnfr(c.argument); }},
    {"RNTO", true, [](State& s, const FtpCommand& c) { s.run_rnto(c.argument); }},
    {"SIZE", true, [](State& s, const FtpCommand& c) { s.run_size(c.argument); }},
    {"SMNT", false, not_implemented},
    {"STAT", false, [](State& s, const FtpCommand& c) { s.run_stat(c.argument); }},
    {"STOR", true, [](State& s, const FtpCommand& c) { s.run_data_command(c); }},
    {"STRU", true,
     [](State& s, const FtpCommand& c) {
       if (ascii_upper(c.argument) == "F") {
         s.reply(200, "Structure set to F.");
       } else {
         s.reply(504, "Bad STRU command.");
       }
     }},
    {"SYST", false, [](State& s, const FtpCommand&) { s.reply(215, "UNIX Type: L8"); }},
    {"TYPE", true, [](State& s, const FtpCommand& c) { s.run_type(c.argument); }},
    {"USER", false,
     [](State& s, const FtpCommand&) { s.reply(530, "Can't change to another user."); }},
    {"XCUP", false, [](State& s, const FtpCommand&) { s.run_cwd(".."); }},
    {"XCWD", true, [](State& s, const FtpCommand& c) { s.run_cwd(c.argument); }},
    {"XMKD", true, [](State& s, const FtpCommand& c) { s.run_mkd(c.argument); }},
    {"XPWD", false,
     [](State& s, const FtpCommand&) { s.reply(257, "\"" + s.cwd + "\" is the current directory"); }},
    {"XRMD", true, [](State& s, const FtpCommand& c) { s.run_rmd(c.argument); }},
}};

static_assert(std::is_sorted(kCommands.begin(), kCommands.end(),
                             [](const CommandEntry& a, const CommandEntry& b) {
                               return a.verb < b.verb;
                             }));

const CommandEntry* find_command(std::string_view verb) {
  auto it = std::lower_bound(kCommands.begin(), kCommands.end(), verb,
                             [](const CommandEntry& e, std::string_view v) { return e.verb < v; });
  return it != kCommands.end() && it->verb == verb ? &*it : nullptr;
}

}  // namespace

State::State(Library& library_in, FtpServerOptions options_in, std::string peer_address_in)
    : library(library_in),
      options(std::move(options_in)),
      peer_address(std::move(peer_address_in)),
      reader(options.max_line_length) {}

void State::reply(int code, std::string_view text) {
  emit(FtpSendReply{format_reply(code, text)});
}

void State::reply_status(const Status& status, std::string_view text) {
  const ErrorInfo& info = error_info(status.code());
  if (text.empty()) text = status.message().empty() ? info.ftp_text : status.message();
  reply(info.ftp_reply, text);
}

void State::close_control() {
  if (transfer) {
    if (transfer->data) emit(FtpCloseData{*transfer->data, false});
    transfer.reset();
  }
  refuse_waiting_data();
  close_listener();
  emit(FtpCloseControl{});
  closed = true;
  pending.clear();
  reader.clear();
}

void State::run_pending_commands() {
  while (!closed) {
    if (wait == Wait::kTransfer) {
      if (!take_pending_abort()) return;
      continue;
    }
    if (wait != Wait::kNone || pending.empty()) return;
    FtpLine line = std::move(pending.front());
    pending.pop_front();
    run_command(line);
  }
}

void State::run_command(const FtpLine& line) {
  if (line.too_long) {
    reply(500, "Command line too long.");
    return;
  }
  const FtpCommand command = parse_ftp_command(line.text);
  if (command.verb != "RNTO") rename_from.reset();
  if (command.verb == "QUIT") {
    run_quit();
    return;
  }
  if (!account) {
    if (!run_before_login(command)) reply(530, "Please login with USER and PASS.");
    return;
  }
  run_after_login(command);
}

bool State::run_before_login(const FtpCommand& command) {
  const std::string& verb = command.verb;
  if (verb == "FEAT") {
    run_feat();
  } else if (verb == "AUTH") {
    run_auth(command.argument);
  } else if (verb == "PBSZ" || verb == "PROT") {
    if (!tls_session_id) {
      reply(503, verb + " needs a secure connection.");
    } else if (verb == "PBSZ") {
      reply(200, "PBSZ set to 0.");
    } else {
      run_prot(command.argument);
    }
  } else if (verb == "USER") {
    // Mutation kPlainLoginAllowed: USER is taken before AUTH TLS.
    if (!tls_session_id && library.options().mutation != Mutation::kPlainLoginAllowed) {
      reply(530, "Non-anonymous sessions must use encryption.");
      close_control();
    } else {
      run_user(command.argument);
    }
  } else if (verb == "PASS") {
    run_pass(command.argument);
  } else {
    return false;
  }
  return true;
}

void State::run_after_login(const FtpCommand& command) {
  const CommandEntry* entry = find_command(command.verb);
  if (entry == nullptr) {
    reply(500, "Unknown command.");
    return;
  }
  if (entry->needs_argument && command.argument.empty()) {
    reply(501, "Syntax error in parameters or arguments.");
    return;
  }
  entry->run(*this, command);
}

void State::run_quit() {
  reply(221, "Goodbye.");
  close_control();
}

void State::run_auth(const std::string& argument) {
  if (tls_session_id) {
    reply(530, "Please login with USER and PASS.");
    return;
  }
  const std::string kind = ascii_upper(argument);
  if (kind != "TLS" && kind != "SSL" && kind != "TLS-C" && kind != "TLS-P") {
    reply(504, "Unknown AUTH type.");
    return;
  }
  reply(234, "Proceed with negotiation.");
  emit(FtpStartControlTls{});
  wait = Wait::kControlTls;
  // Nothing the client sent in plain text after AUTH may run in the secure channel.
  pending.clear();
  reader.clear();
}

void State::run_user(const std::string& argument) {
  const std::string name = ascii_upper(argument);
  if (argument.empty()) {
    reply(501, "Syntax error in parameters or arguments.");
  } else if (name == "ANONYMOUS" || name == "FTP") {
    reply(530, "Anonymous sessions may not use encryption.");
  } else {
    user = argument;
    reply(331, "Please specify the password.");
  }
}

void State::run_pass(const std::string& argument) {
  if (!user) {
    reply(503, "Login with USER first.");
    return;
  }
  const std::string name = *std::exchange(user, std::nullopt);
  if (library.check_ftp_login(name, argument).ok()) {
    account = name;
    reply(230, "Login successful.");
    return;
  }
  ++login_failures;
  wait = Wait::kLoginDelay;
  wake_at = now + options.login_failure_delay;
  emit(FtpWakeAt{wake_at});
}

void State::finish_login_delay() {
  wait = Wait::kNone;
  reply(error_info(ErrorCode::kLoginIncorrect).ftp_reply, "Login incorrect.");
  if (login_failures >= options.max_login_failures) close_control();
}

void State::run_prot(const std::string& argument) {
  const std::string level = ascii_upper(argument);
  if (level == "P") {
    protect_data = true;
    reply(200, "PROT now Private.");
  } else if (level == "C") {
    protect_data = false;
    reply(200, "PROT now Clear.");
  } else if (level == "S" || level == "E") {
    reply(536, "PROT not supported.");
  } else {
    reply(504, "PROT not recognized.");
  }
}

void State::run_type(const std::string& argument) {
  const std::string type = ascii_upper(argument);
  if (type == "A" || type == "A N") {
    binary = false;
    reply(200, "Switching to ASCII mode.");
  } else if (type == "I" || type == "L 8" || type == "L8") {
    binary = true;
    reply(200, "Switching to Binary mode.");
  } else {
    reply(500, "Unrecognised TYPE command.");
  }
}

void State::run_opts(const std::string& argument) {
  const std::size_t space = argument.find(' ');
  const std::string option = ascii_upper(argument.substr(0, space));
  const std::string value = space == std::string::npos ? "" : argument.substr(space + 1);
  if (option == "UTF8" && ascii_upper(value) == "ON") {
    reply(200, "Always in UTF8 mode.");
  } else if (option == "MLST") {
    std::string echoed;
    mlst_facts = parse_mlst_facts(value, echoed);
    reply(200, "MLST OPTS " + echoed);
  } else {
    reply(501, "Option not understood.");
  }
}

void State::run_feat() {
  emit(FtpSendReply{format_multiline_reply(
      211, "Features:",
      {" EPRT", " EPSV", " MDTM", " MLST " + feat_mlst_facts(mlst_facts), " PASV", " PBSZ",
       " PROT", " REST STREAM", " SIZE", " TVFS", " UTF8"},
      "End")});
}

void State::run_help() {
  std::vector<std::string> lines;
  std::string line;
  for (std::size_t i = 0; i < kCommands.size(); ++i) {
    std::string verb(kCommands[i].verb);
    verb.resize(4, ' ');
    line += ' ' + verb;
    if (i % 14 == 13 || i + 1 == kCommands.size()) lines.push_back(std::exchange(line, ""));
  }
  emit(FtpSendReply{
      format_multiline_reply(214, "The following commands are recognized.", lines, "Help OK.")});
}

void State::run_stat(const std::string& argument) {
  if (!argument.empty()) {
    emit(FtpSendReply{
        format_multiline_reply(213, "Status follows:", list_lines(argument), "End of status")});
    return;
  }
  const std::vector<std::string> lines = {
      "     Connected to " + peer_address,
      "     Logged in as " + *account,
      std::string("     TYPE: ") + (binary ? "BINARY" : "ASCII"),
      "     Control connection is encrypted",
      std::string("     Data connections will be ") + (protect_data ? "encrypted" : "plain text"),
  };
  out.push_back(
      FtpSendReply{format_multiline_reply(211, "FTP server status:", lines, "End of status")});
}

// --- the public face: events ---

FtpServerSession::FtpServerSession(Library& library, FtpServerOptions options,
                                   std::string peer_address)
    : state_(std::make_unique<State>(library, std::move(options), std::move(peer_address))) {}

FtpServerSession::~FtpServerSession() = default;

FtpServerActions FtpServerSession::on_connected(Timestamp at) {
  State& s = *state_;
  if (s.closed) return {};
  s.now = at;
  s.reply(220, s.options.banner);
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_control_bytes(ByteView bytes, Timestamp at) {
  State& s = *state_;
  if (s.closed) return {};
  s.now = at;
  // Plain text that follows AUTH while the handshake runs is dropped.
  if (s.wait == State::Wait::kControlTls) return {};
  s.reader.append(bytes);
  while (auto line = s.reader.next_line()) s.pending.push_back(std::move(*line));
  if (s.pending.size() > s.options.max_pending_lines) {
    s.reply(421, "Too many commands waiting; closing the control connection.");
    s.close_control();
  }
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_control_tls_established(std::string tls_session_id,
                                                              Timestamp at) {
  State& s = *state_;
  if (s.closed || s.wait != State::Wait::kControlTls) return {};
  s.now = at;
  s.tls_session_id = std::move(tls_session_id);
  s.wait = State::Wait::kNone;
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_wake(Timestamp at) {
  State& s = *state_;
  if (s.closed) return {};
  s.now = at;
  if (s.wait == State::Wait::kLoginDelay) {
    if (at < s.wake_at) {
      s.emit(FtpWakeAt{s.wake_at});
      return std::exchange(s.out, {});
    }
    s.finish_login_delay();
  } else if (s.transfer && s.transfer->phase <= FtpTransfer::Phase::kAwaitingTls &&
             at >= s.transfer_deadline) {
    s.end_transfer(425, "Failed to establish connection.", FtpTransfer::DataEnd::kAbort);
  }
  s.run_pending_commands();
  return std::exchange(s.out, {});
}

FtpServerActions FtpServerSession::on_control_closed(Timestamp at) {
  State& s = *state_;
  if (s.closed) return {};
  s.now = at;
  s.close_control();
  // The environment closed the control connection itself: it needs no action for it.
  s.out.pop_back();
  return std::exchange(s.out, {});
}

bool FtpServerSession::is_closed() const { return state_->closed; }

std::optional<AccountId> FtpServerSession::account() const { return state_->account; }

int FtpServerSession::login_failures() const { return state_->login_failures; }

bool FtpServerSession::is_uploading() const {
  const auto& transfer = state_->transfer;
  return !state_->closed && transfer && transfer->upload && transfer->phase == FtpTransfer::Phase::kRunning;
}

std::string FtpServerSession::working_directory() const { return state_->cwd; }

std::optional<Timestamp> FtpServerSession::wake_due() const {
  const State& s = *state_;
  if (s.closed) return std::nullopt;
  if (s.wait == State::Wait::kLoginDelay) return s.wake_at;
  if (s.transfer && s.transfer->phase <= FtpTransfer::Phase::kAwaitingTls) return s.transfer_deadline;
  return std::nullopt;
}

}  // namespace imagelib
