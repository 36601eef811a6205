// The inside of FtpServerSession, shared by the files that implement it:
// ftp_server_session.cc (events, the command loop, login and TLS),
// ftp_server_files.cc (commands on the namespace without a data connection)
// and ftp_server_transfer.cc (passive listeners and data transfers). Only
// those files include this header.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "reference/ftp/ftp_command.h"
#include "reference/ftp/ftp_listing.h"
#include "reference/ftp/ftp_server_session.h"

namespace imagelib {

// One data transfer, from the data command to its final reply.
struct FtpTransfer {
  enum class Phase : std::uint8_t {
    kAwaitingConnection,  // the command is accepted; no data connection yet
    kAwaitingTls,         // `150` sent, the data TLS handshake runs
    kRunning,             // bytes flow
  };
  // What becomes of the data connection when a transfer ends.
  enum class DataEnd : std::uint8_t {
    kGraceful,       // flush, close_notify, FIN
    kAbort,          // close at once
    kAlreadyClosed,  // the peer closed it
  };
  enum class Source : std::uint8_t { kListing, kFile };

  bool upload = false;
  Phase phase = Phase::kAwaitingConnection;
  std::optional<DataConnectionId> data;
  std::string preliminary;  // the text of the `150` reply
  std::string complete;     // the text of the `226` reply
  // Downloads: a listing made when the command came, or a file read chunk by chunk.
  Source source = Source::kListing;
  Bytes listing;
  // Downloads and uploads of files: where, and the next offset.
  FtpPath path;
  std::uint64_t offset = 0;
};

struct FtpServerSession::State {
  enum class Wait : std::uint8_t {
    kNone,        // ready for the next command
    kControlTls,  // `234` sent, the control handshake runs
    kListener,    // PASV/EPSV asked the environment for a listener
    kLoginDelay,  // a failed login's `530` is held back
    kTransfer,    // a data command runs
  };
  enum class Listener : std::uint8_t { kNone, kOpening, kOpen };

  State(Library& library_in, FtpServerOptions options_in, std::string peer_address_in);

  // --- ftp_server_session.cc ---
  // Runs pending commands until one has to wait for the environment.
  void run_pending_commands();
  void run_command(const FtpLine& line);
  bool run_before_login(const FtpCommand& command);
  void run_after_login(const FtpCommand& command);
  void run_quit();
  void run_user(const std::string& argument);
  void run_pass(const std::string& argument);
  void run_auth(const std::string& argument);
  void run_prot(const std::string& argument);
  void run_type(const std::string& argument);
  void run_opts(const std::string& argument);
  void run_feat();
  void run_help();
  void run_stat(const std::string& argument);
  void finish_login_delay();
  // Appends an action to `out`.
  template <typename Action>
  void emit(Action action) {
    out.emplace_back(std::in_place_type<Action>, std::move(action));
  }
  void reply(int code, std::string_view text);
  void reply_status(const Status& status, std::string_view text = {});
  void close_control();

  // --- ftp_server_files.cc ---
  // Resolves an argument against the working directory.
  Result<FtpPath> resolve(std::string_view argument) const;
  void run_cwd(const std::string& argument);
  void run_size(const std::string& argument);
  void run_mdtm(const std::string& argument);
  void run_dele(const std::string& argument);
  void run_rnfr(const std::string& argument);
  void run_rnto(const std::string& argument);
  void run_mkd(const std::string& argument);
  void run_rmd(const std::string& argument);
  void run_rest(const std::string& argument);
  void run_mlst(const std::string& argument);
  // The `ls -l` lines of a path (a folder's entries, or the file itself);
  // empty for a path that does not exist, as vsftpd lists it.
  std::vector<std::string> list_lines(const std::string& argument) const;

  // --- ftp_server_transfer.cc ---
  void run_passive(bool extended, const std::string& argument);
  // LIST, NLST, MLSD, RETR, STOR, APPE.
  void run_data_command(const FtpCommand& command);
  // Checks shared by every data command: a listener, and PROT P.
  bool check_data_channel();
  void start_transfer(FtpTransfer transfer);
  void use_data_connection(DataConnectionId data);
  void send_next_chunk();
  // Ends the running transfer with a final reply and closes its data connection.
  void end_transfer(int code, std::string_view text, FtpTransfer::DataEnd data_end);
  // Fails a data command before its `150`, which uses up the listener.
  void fail_data_command(int code, std::string_view text);
  Result<Bytes> make_listing(const std::string& verb, const std::string& argument) const;
  void abort_transfer();
  void close_listener();
  void refuse_waiting_data();
  // Takes an ABOR out of the pending lines while a transfer runs.
  bool take_pending_abort();

  Library& library;
  FtpServerOptions options;
  std::string peer_address;
  FtpServerActions out;  // the actions of the event being handled
  Timestamp now;

  FtpLineReader reader;
  std::deque<FtpLine> pending;
  Wait wait = Wait::kNone;
  bool closed = false;

  // security and login
  std::optional<std::string> tls_session_id;  // once the control channel is secure
  std::optional<std::string> user;            // after USER, until PASS
  std::optional<AccountId> account;           // after a good PASS
  int login_failures = 0;
  Timestamp wake_at;
  bool protect_data = false;  // PROT P

  // the dialogue's settings
  std::string cwd = "/";
  bool binary = false;  // TYPE I (RFC 959's default is A)
  std::uint64_t restart_offset = 0;
  std::optional<FtpPath> rename_from;
  bool epsv_all = false;
  MlstFacts mlst_facts;

  // the passive listener and data connections
  Listener listener = Listener::kNone;
  bool listener_extended = true;  // EPSV (229) or PASV (227)
  std::optional<DataConnectionId> waiting_data;  // accepted before its command
  std::optional<FtpTransfer> transfer;
  Timestamp transfer_deadline;
};

}  // namespace imagelib
