// FtpClientSession: the client side of one FTPS control connection, as a
// state machine without I/O, used by the simulated and the remote
// conformance targets. It logs in over explicit TLS (AUTH TLS, USER, PASS,
// PBSZ 0, PROT P), then runs the operations it is given one after the
// other, each on its own passive data connection (EPSV, falling back to PASV
// for the rest of the session when EPSV is refused), and reports each
// outcome. It never reads a clock, opens a socket or does TLS. Not
// thread-safe: the environment serialises every call.
//
// How an environment drives a session
// -----------------------------------
// 1. Construct it with the credentials; queue operations with start() at any
//    time (they run in order once logged in). Connect to the server; call
//    on_connected(), then pass every byte read from the control connection to
//    on_control_bytes() (any split; replies may be multi-line).
// 2. Carry out the returned actions IN ORDER (see FtpClientAction):
//    - FtpSendCommand: write the line (CRLF included) on the control
//      connection, through TLS once it is secure.
//    - FtpClientStartControlTls: run the TLS client handshake on the control
//      connection, then call on_control_tls_established() (or
//      on_control_closed() if it failed).
//    - FtpConnectData: open a TCP connection to the control connection's
//      server host on that port; call on_data_connected() once connected,
//      then on_data_tls_established() after the TLS client handshake, which
//      the environment starts at once, resuming the control connection's TLS
//      session (servers refuse data connections that do not: `522`).
//    - FtpClientSendData: write the bytes on the data connection; call
//      on_data_writable() when the transport accepted them all. Uploads are
//      produced one chunk per call, read from the operation's content.
//    - FtpClientCloseData: graceful -> end the data connection after what is
//      queued (TLS close_notify, FIN): this ends an upload. Not graceful ->
//      close at once. Do not report on_data_closed() for it.
//    - Bytes read from the data connection go to on_data_bytes(); its end to
//      on_data_closed().
//    - FtpClientCloseControl: close the control connection.
//    - FtpReportOutcome: an operation (or the login) ended; hand it to whoever
//      asked for it.
// 3. When the server closes the control connection, call on_control_closed():
//    the running operation and every queued one end with an outcome that
//    says so (reply code 0).
//
// A transfer ends when both the final reply (`226`, or an error) arrived and
// the data connection ended, in whichever order the network delivers them.
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

namespace imagelib {

struct FtpClientOptions {
  std::string user;
  std::string password;
  // Bytes per FtpClientSendData of an upload.
  std::size_t upload_chunk_bytes = 256 * 1024;
};

// --- operations ---
// Paths are sent as given (absolute, or relative to the server's working
// directory, which the client never changes except by an FtpRawCommand).
enum class FtpListingKind : std::uint8_t { kList, kNlst, kMlsd };
struct FtpListOperation {
  std::string path;  // empty: the working directory
  FtpListingKind kind = FtpListingKind::kList;
};

enum class FtpUploadMode : std::uint8_t {
  kReplace,         // STOR: the whole content
  kResumeWithRest,  // SIZE, then REST n + STOR with the content from n
  kResumeWithAppe,  // SIZE, then APPE with the content from n
};
struct FtpUploadOperation {
  std::string path;
  std::shared_ptr<const RandomAccessSource> content;
  FtpUploadMode mode = FtpUploadMode::kReplace;
};

struct FtpDownloadOperation {
  std::string path;
  std::uint64_t offset = 0;  // > 0: REST offset before RETR
};
struct FtpDeleteOperation {
  std::string path;
};
struct FtpRenameOperation {
  std::string from;
  std::string to;
};
struct FtpSizeOperation {
  std::string path;
};
// Any one command line without a data connection (CWD, MKD, SYST, FEAT, ...);
// the outcome carries its final reply.
struct FtpRawCommand {
  std::string line;  // without CRLF
};

using FtpClientOperation =
    std::variant<FtpListOperation, FtpUploadOperation, FtpDownloadOperation, FtpDeleteOperation,
                 FtpRenameOperation, FtpSizeOperation, FtpRawCommand>;

struct FtpClientOutcome {
  // The operation's position in start() order, counting from 1; 0 for the login.
  std::uint64_t operation = 0;
  bool ok = false;
  // The reply that decided it (e.g. 226, 213, 550); 0 when the connection
  // closed or a data connection broke before one came.
  int reply_code = 0;
  std::string reply_text;  // the whole reply, lines joined by "\n", without CRLF
  Bytes data;              // a listing or downloaded bytes
  std::uint64_t size = 0;  // SIZE's answer; the offset an upload resumed from
};

// --- actions ---
struct FtpSendCommand {
  std::string line;  // ends in CRLF
};
struct FtpClientStartControlTls {};
struct FtpConnectData {
  DataConnectionId data;
  std::uint16_t port;
};
struct FtpClientSendData {
  DataConnectionId data;
  Bytes bytes;
};
struct FtpClientCloseData {
  DataConnectionId data;
  bool graceful = true;
};
struct FtpClientCloseControl {};
struct FtpReportOutcome {
  FtpClientOutcome outcome;
};

using FtpClientAction =
    std::variant<FtpSendCommand, FtpClientStartControlTls, FtpConnectData, FtpClientSendData,
                 FtpClientCloseData, FtpClientCloseControl, FtpReportOutcome>;
using FtpClientActions = std::vector<FtpClientAction>;

class FtpClientSession {
 public:
  explicit FtpClientSession(FtpClientOptions options);
  ~FtpClientSession();
  FtpClientSession(const FtpClientSession&) = delete;
  FtpClientSession& operator=(const FtpClientSession&) = delete;

  // Queues an operation. Operations are numbered 1, 2, ... in start() order
  // (see FtpClientOutcome::operation). The actions returned start it when the
  // session is idle and logged in.
  FtpClientActions start(FtpClientOperation operation, Timestamp at);
  // Sends QUIT once every queued operation ended, then closes.
  FtpClientActions quit(Timestamp at);

  // --- events ---
  FtpClientActions on_connected(Timestamp at);
  FtpClientActions on_control_bytes(ByteView bytes, Timestamp at);
  FtpClientActions on_control_tls_established(Timestamp at);
  FtpClientActions on_data_connected(DataConnectionId data, Timestamp at);
  FtpClientActions on_data_tls_established(DataConnectionId data, Timestamp at);
  FtpClientActions on_data_bytes(DataConnectionId data, ByteView bytes, Timestamp at);
  FtpClientActions on_data_writable(DataConnectionId data, Timestamp at);
  FtpClientActions on_data_closed(DataConnectionId data, DataCloseReason reason, Timestamp at);
  FtpClientActions on_control_closed(Timestamp at);

  // --- observers ---
  bool is_logged_in() const;
  bool is_closed() const;
  // True when no operation is running or queued.
  bool is_idle() const;

  // The inside, defined only where the session is implemented.
  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace imagelib
