// FtpServerSession: one FTPS control connection of the image library
// (SPEC §3 "The FTP namespace", SPEC §4 "The FTPS dialogue"), as a state
// machine without I/O. It never reads a clock, opens a socket, starts a
// thread or does TLS: an environment (the simulator, or net/ with Boost.Asio
// and OpenSSL) moves the bytes and the time, calls one `on_...` method per
// event, and carries out the returned actions IN ORDER. Not thread-safe: the
// environment serialises every call for one session and every call into the
// shared Library.
//
// How an environment drives a session
// -----------------------------------
// 1. Accept a control connection; construct the session with the client's
//    address (any text the environment can compare, e.g. "127.0.0.1"); call
//    on_connected(). It answers `220 ...`.
// 2. Pass every byte read from the control connection to on_control_bytes(),
//    split however the transport split it: the session buffers up to CRLF
//    (a bare LF also ends a line), replies `500` to a line longer than
//    `max_line_length` and discards it, and answers pipelined commands one at
//    a time, in order. While a command waits for the environment (a TLS
//    handshake, a passive listener, a data transfer, a login delay) later
//    lines wait in the session; only `ABOR` acts at once during a transfer.
// 3. Carry out the actions (see FtpServerAction):
//    - FtpSendReply: write its text (complete lines, CRLF included) to the
//      control connection, through TLS once the control channel is secure.
//    - FtpStartControlTls: after writing every reply before it in plain text,
//      run the TLS server handshake on the control connection, then call
//      on_control_tls_established() with the TLS session's id (any stable
//      text naming that session), or on_control_closed() if it failed. Bytes
//      the client sent in plain text after AUTH are discarded by the session
//      (no command injection into the secure channel).
//    - FtpOpenPassiveListener: listen on a port (the environment picks it),
//      then call on_passive_listener_opened() with the port and the local
//      IPv4 address for the `227` reply, or on_passive_listener_failed().
//      The session answers `229`/`227` only then. A later action
//      FtpClosePassiveListener (or a new FtpOpenPassiveListener) ends it.
//    - While a listener is open, call on_data_connection_accepted() for each
//      connection accepted on it, with a fresh DataConnectionId and the
//      peer's address. The session answers with FtpRefuseDataConnection
//      (close it at once, serve nothing) or, once a data command needs it,
//      FtpStartDataTls.
//    - FtpStartDataTls: run the TLS server handshake on that data connection
//      WITHOUT sending session tickets (SPEC §4: with them lftp uploads break
//      over TLS 1.3), bound to this control session's TLS session-id context,
//      then call on_data_tls_established() saying which control session it
//      resumed (nullopt for a full handshake). The session checks it:
//      not resumed -> `522`, resumed from another control session -> `425`.
//    - FtpSendData: write the bytes on the data connection; when they are all
//      accepted by the transport (the send window is free again), call
//      on_data_writable(). Downloads are produced one chunk per call, so a
//      10 GiB file never sits in memory.
//    - Data read from a data connection the session receives on (uploads) goes
//      to on_data_bytes(); its end goes to on_data_closed() (kFinished for an
//      orderly end of the upload, kReset for a reset). A data connection the
//      client closes or resets during a download also goes to on_data_closed().
//    - FtpCloseData: graceful -> write what is queued, TLS close_notify, FIN;
//      not graceful -> drop what is queued and close at once. Do not report
//      on_data_closed() for a connection the session closed itself.
//    - FtpWakeAt: call on_wake() at (or after) that time, unless a later
//      FtpWakeAt replaced it. Used to delay the `530` of a failed login and
//      to give up on a data connection that never comes.
//    - FtpCloseControl: flush the replies before it, then close the control
//      connection (and every data connection and listener of the session).
// 4. When the client closes or resets the control connection, call
//    on_control_closed(). The session aborts any transfer (what an upload
//    wrote so far stays in incoming/, as vsftpd leaves it) and returns the
//    FtpCloseData / FtpRefuseDataConnection / FtpClosePassiveListener
//    actions for whatever it still had open.
//
// Decisions beyond vsftpd: a data connection whose TLS session was not
// resumed gets `522` but the control session stays (vsftpd closes it); one
// resumed from another control session, or coming from another address,
// gets `425` (vsftpd serves it; SPEC §4). ABOR during a transfer closes the
// data connection at once and answers `426` then `226`. Every data command
// uses up the passive listener, as clients open one per transfer. A command
// without its required argument, and `REST` with anything but a number, get
// `501` (vsftpd takes `REST abc` as 0).
//
// Every event takes the time it happened at (virtual or real). Events that
// come after the session closed, or name a data connection the session does
// not use, return no actions.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "reference/base/bytes.h"
#include "reference/base/timestamp.h"
#include "reference/ftp/ftp_transport.h"
#include "reference/library/library.h"

namespace imagelib {

struct FtpServerOptions {
  // The text after "220 " in the greeting.
  std::string banner = "Image library FTPS (imagelib)";
  // The longest command line accepted, CRLF excluded; longer ones get `500`.
  std::size_t max_line_length = 4096;
  // Complete lines that may wait while a command is in progress; past it the
  // session answers `421` and closes (a client flooding the control line).
  std::size_t max_pending_lines = 256;
  // Failed logins after which the session answers `530` and closes.
  int max_login_failures = 3;
  // How long the `530 Login incorrect.` of a failed login is held back.
  Duration login_failure_delay = std::chrono::seconds(1);
  // How long a data command waits for its data connection and TLS handshake
  // before it fails with `425`.
  Duration data_connection_timeout = std::chrono::seconds(60);
  // Bytes per FtpSendData of a download.
  std::size_t download_chunk_bytes = 256 * 1024;
};

// --- actions: what the environment does next, in order ---
struct FtpSendReply {
  std::string text;  // one or more complete reply lines, each ending in CRLF
};
struct FtpStartControlTls {};
struct FtpOpenPassiveListener {};
struct FtpClosePassiveListener {};
struct FtpRefuseDataConnection {
  DataConnectionId data;
};
struct FtpStartDataTls {
  DataConnectionId data;
};
struct FtpSendData {
  DataConnectionId data;
  Bytes bytes;
};
struct FtpCloseData {
  DataConnectionId data;
  bool graceful = true;
};
struct FtpWakeAt {
  Timestamp at;
};
struct FtpCloseControl {};

using FtpServerAction =
    std::variant<FtpSendReply, FtpStartControlTls, FtpOpenPassiveListener, FtpClosePassiveListener,
                 FtpRefuseDataConnection, FtpStartDataTls, FtpSendData, FtpCloseData, FtpWakeAt,
                 FtpCloseControl>;
using FtpServerActions = std::vector<FtpServerAction>;

class FtpServerSession {
 public:
  // `library` must outlive the session. `peer_address` is the client's
  // address on the control connection; data connections must come from it.
  FtpServerSession(Library& library, FtpServerOptions options, std::string peer_address);
  ~FtpServerSession();
  FtpServerSession(const FtpServerSession&) = delete;
  FtpServerSession& operator=(const FtpServerSession&) = delete;

  // --- events ---
  FtpServerActions on_connected(Timestamp at);
  FtpServerActions on_control_bytes(ByteView bytes, Timestamp at);
  FtpServerActions on_control_tls_established(std::string tls_session_id, Timestamp at);
  FtpServerActions on_passive_listener_opened(std::uint16_t port, std::string ipv4_address,
                                              Timestamp at);
  FtpServerActions on_passive_listener_failed(Timestamp at);
  FtpServerActions on_data_connection_accepted(DataConnectionId data, std::string peer_address,
                                               Timestamp at);
  // `resumed_from`: the TLS session id (as given to on_control_tls_established
  // of whichever control session) this data session resumed; nullopt when
  // the handshake was a full one.
  FtpServerActions on_data_tls_established(DataConnectionId data,
                                           std::optional<std::string> resumed_from, Timestamp at);
  FtpServerActions on_data_bytes(DataConnectionId data, ByteView bytes, Timestamp at);
  FtpServerActions on_data_writable(DataConnectionId data, Timestamp at);
  FtpServerActions on_data_closed(DataConnectionId data, DataCloseReason reason, Timestamp at);
  FtpServerActions on_wake(Timestamp at);
  FtpServerActions on_control_closed(Timestamp at);

  // --- observers, for environments and tests ---
  bool is_closed() const;
  // The account logged in, if any.
  std::optional<AccountId> account() const;
  // Failed logins so far (the environment counts them per address).
  int login_failures() const;
  // An upload's bytes are flowing (on_data_bytes() writes them).
  bool is_uploading() const;
  // The working directory as the client sees it ("/", "/incoming", ...).
  std::string working_directory() const;
  // When the session still wants on_wake(), if it does: the last FtpWakeAt
  // while a failed login's reply is held back or a data connection is
  // awaited. An environment may skip a wake-up the session no longer wants.
  std::optional<Timestamp> wake_due() const;

  // The inside, defined only where the session is implemented.
  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace imagelib
