// libFuzzer target for the FTP control line reader and dialogue
// (reference/ftp/FtpServerSession: every byte of the control connection,
// from anyone, before and after login). The input is the client's bytes in
// pieces separated by 0xFF, each piece one read; "@USER@" and "@PASS@" stand
// for an account's real login so that the fuzzer reaches what follows it. A
// small environment answers the session's actions as FtpsSession does
// (control TLS, a passive listener, wake-ups; no data connection ever comes).
// On any input: never a crash; every reply is whole lines ending in CRLF
// whose last line is "NNN text" with the code of the first; nothing is
// answered after the session closed. Anything else is a finding.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>

#include "reference/ftp/ftp_server_session.h"

namespace {

using imagelib::Timestamp;

void check_reply(const std::string& text) {
  if (text.size() < 6 || !text.ends_with("\r\n")) std::abort();
  for (int i = 0; i < 3; ++i) {
    if (text[static_cast<std::size_t>(i)] < '0' || text[static_cast<std::size_t>(i)] > '9') std::abort();
  }
  const std::size_t last = text.rfind("\r\n", text.size() - 3);
  const std::string_view last_line =
      std::string_view(text).substr(last == std::string::npos ? 0 : last + 2);
  if (last_line.size() < 6 || last_line.substr(0, 3) != std::string_view(text).substr(0, 3) ||
      last_line[3] != ' ') {
    std::abort();
  }
}

std::string replaced(std::string text, std::string_view from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Environment {
  imagelib::FtpServerSession& session;
  bool closed = false;

  // Plays the actions and the ones they lead to.
  void play(imagelib::FtpServerActions actions, Timestamp at) {
    std::deque<imagelib::FtpServerAction> queue(actions.begin(), actions.end());
    while (!queue.empty()) {
      imagelib::FtpServerAction action = std::move(queue.front());
      queue.pop_front();
      if (closed) std::abort();  // an action after FtpCloseControl
      imagelib::FtpServerActions next;
      if (const auto* reply = std::get_if<imagelib::FtpSendReply>(&action)) {
        check_reply(reply->text);
      } else if (std::holds_alternative<imagelib::FtpStartControlTls>(action)) {
        next = session.on_control_tls_established("control-tls-session", at);
      } else if (std::holds_alternative<imagelib::FtpOpenPassiveListener>(action)) {
        next = session.on_passive_listener_opened(50000, "127.0.0.1", at);
      } else if (std::holds_alternative<imagelib::FtpCloseControl>(action)) {
        closed = true;
        if (!session.is_closed()) std::abort();
      }
      queue.insert(queue.end(), next.begin(), next.end());
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  imagelib::Library library;
  const auto account = library.create_account("fuzz");
  if (!account.ok()) std::abort();
  const auto login = library.reset_ftp_password(account->id, account->id);
  if (!login.ok() || !login->ftp_password) std::abort();

  imagelib::FtpServerSession session(library, imagelib::FtpServerOptions{}, "127.0.0.1");
  Environment environment{session};
  Timestamp at{};
  environment.play(session.on_connected(at), at);
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::size_t begin = 0;
  while (begin <= input.size() && !environment.closed) {
    std::size_t end = input.find('\xff', begin);
    if (end == std::string::npos) end = input.size();
    std::string piece = replaced(input.substr(begin, end - begin), "@USER@", account->id);
    piece = replaced(std::move(piece), "@PASS@", *login->ftp_password);
    at = at + std::chrono::seconds(1);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(piece.data());
    environment.play(session.on_control_bytes(imagelib::ByteView(bytes, piece.size()), at), at);
    // Wake-ups due by now (a held-back 530, a data connection that never comes).
    if (const auto due = session.wake_due(); due && !environment.closed) {
      at = std::max(at, *due);
      environment.play(session.on_wake(at), at);
    }
    begin = end + 1;
  }
  return 0;
}
