// A tiny environment for FtpServerSession tests: it plays the network and
// the client's side of TLS and data connections at once, carrying out every
// action as soon as the session returns it (listeners open on ports 40000+,
// handshakes succeed, sent data is acknowledged, and once nothing else is
// left to happen, virtual time jumps to the wake-up the session wants). Switches turn each automatic step off so a test can do it itself.
// Tests only.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reference/ftp/ftp_server_session.h"
#include "reference/library/testing.h"

namespace imagelib::testing {

class FtpServerHarness {
 public:
  static constexpr std::string_view kClientAddress = "198.51.100.7";
  static constexpr std::string_view kControlTlsId = "tls-control-1";

  explicit FtpServerHarness(LibraryOptions library_options = {},
                            FtpServerOptions server_options = {});

  LibraryFixture fixture;
  Library& library;
  std::string password;  // the FTP password of fixture.main
  FtpServerSession session;

  // --- what the environment does on its own ---
  bool auto_control_tls = true;
  bool auto_connect_data = true;  // a client connects to each listener at once
  bool auto_data_tls = true;
  std::optional<std::string> data_resumed_from = std::string(kControlTlsId);
  bool auto_wake = true;
  bool auto_ack_data = true;  // the client reads sent data at once (on_data_writable)

  // --- what happened ---
  std::string replies;  // every reply so far
  std::map<DataConnectionId, Bytes> downloads;
  std::size_t data_sends = 0;  // FtpSendData actions so far
  std::vector<DataConnectionId> refused;
  std::vector<DataConnectionId> closed_data;
  std::vector<DataConnectionId> tls_started;
  std::optional<std::uint16_t> listener_port;  // while a listener is open
  std::optional<Timestamp> wake_requested;
  bool control_closed = false;
  Timestamp& now;

  // Feeds control bytes, runs the environment until quiet, returns the replies they caused.
  std::string send(std::string_view bytes);
  // 220 (on construction), AUTH TLS, USER, PASS, PBSZ 0, PROT P: the usual preamble.
  std::string login();
  // A data connection from `peer` to the open listener; returns its id.
  DataConnectionId connect_data(std::string_view peer = kClientAddress);
  // Upload bytes on the last data connection TLS started on, optionally ending it.
  std::string upload(ByteView bytes, std::optional<DataCloseReason> end = DataCloseReason::kFinished);
  // Closes the last data connection from the client side.
  std::string close_data(DataCloseReason reason);
  std::string data_tls_established(std::optional<std::string> resumed_from);
  std::string wake(Timestamp at);
  // Tells the session the last data connection may take more (after auto_ack_data = false).
  std::string data_writable();
  // The data the last data connection TLS started on received, as text.
  std::string last_download() const;
  DataConnectionId last_data() const { return tls_started.empty() ? 0 : tls_started.back(); }

  // Carries out actions and every event they lead to; returns the replies written.
  std::string run(FtpServerActions actions);

 private:
  void apply(FtpServerAction& action);

  std::deque<std::function<FtpServerActions()>> events_;
  std::string new_replies_;
  std::uint16_t next_port_ = 40000;
  DataConnectionId next_data_ = 1;
};

// The codes of the complete replies in `text`, in order ("150 ...\r\n226 ...\r\n" -> {150, 226}).
std::vector<int> reply_codes(std::string_view text);

}  // namespace imagelib::testing
