// The inside of FtpClientSession, shared by ftp_client_session.cc (events,
// login, the queue of operations) and ftp_client_operations.cc (the command
// steps of each operation and its data connection). Only those files
// include this header.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "reference/ftp/ftp_client_session.h"
#include "reference/ftp/ftp_reply.h"

namespace imagelib {

// One operation from its first command to its outcome.
struct FtpClientRun {
  enum class Step : std::uint8_t {
    kType,      // TYPE A / TYPE I
    kSize,      // SIZE before a resumed upload
    kPassive,   // EPSV, or PASV
    kRest,      // REST before RETR or STOR
    kTransfer,  // the data command: LIST, NLST, MLSD, RETR, STOR, APPE
    kCommand,   // the one command of DELE, SIZE, a raw command; RNFR of a rename
    kRenameTo,  // RNTO
  };

  FtpClientOperation operation;
  Step step = Step::kCommand;
  FtpClientOutcome outcome;
  // The data connection, and what became of it.
  std::optional<DataConnectionId> data;
  bool data_ended = false;  // closed by the server, or by us after the last upload byte
  bool data_reset = false;
  std::optional<FtpReply> final_reply;  // of the data command
  std::uint64_t resume_from = 0;        // where a resumed upload starts
  std::uint64_t upload_offset = 0;      // the next byte of the content to send
};

struct FtpClientSession::State {
  enum class Phase : std::uint8_t {
    kConnecting,  // waiting for on_connected
    kGreeting,    // waiting for 220
    kAuth,        // AUTH TLS sent
    kHandshake,   // 234 came; the TLS handshake runs
    kUser,
    kPass,
    kPbsz,
    kProt,
    kReady,     // logged in
    kQuitting,  // QUIT sent
    kClosed,
  };

  explicit State(FtpClientOptions options_in) : options(std::move(options_in)) {}

  // --- ftp_client_session.cc ---
  void send(std::string_view line);
  void on_reply(const FtpReply& reply);
  void on_login_reply(const FtpReply& reply);
  void fail_login(int code, std::string text);
  // Starts queued operations (or QUIT) while the session is logged in and idle.
  void start_next();
  void report(FtpClientOutcome outcome);
  void close(std::string_view why);

  // --- ftp_client_operations.cc ---
  void begin(FtpClientRun run);
  void on_operation_reply(const FtpReply& reply);
  void send_passive();
  void on_passive_reply(const FtpReply& reply);
  void send_transfer_command();
  void send_next_upload_chunk();
  // Ends the running operation: ok or not, with the reply that decided it.
  void finish(bool ok, int code, std::string text);
  // Finishes a transfer once both its final reply and its data connection ended.
  void finish_transfer_if_done();

  FtpClientOptions options;
  FtpClientActions out;
  Timestamp now;
  FtpReplyReader reader;
  Phase phase = Phase::kConnecting;
  std::optional<FtpReply> login_reply;  // the 230
  bool use_pasv = false;                // EPSV was refused once
  bool quit_requested = false;
  std::uint64_t operations_started = 0;
  std::deque<std::pair<std::uint64_t, FtpClientOperation>> queue;
  std::optional<FtpClientRun> running;
  DataConnectionId next_data = 1;
};

}  // namespace imagelib
