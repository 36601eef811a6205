// JournaledFtpSession: an FtpServerSession whose every event is first
// written to the Journal (when there is one), and the inverse,
// replay_ftp_event(), which feeds a journaled event back into a session.
// Together they let a restarted server rebuild what FTP clients did (uploads,
// renames, deletes) in the same order relative to the API. Before login a
// session cannot change the Library, so its events wait in memory and are
// journaled, with the session's open record, when the login succeeds: a
// session that never logs in leaves nothing in the journal (SPEC §6), and
// one that sends more than kMaxBytesBeforeLogin first is closed.
// With uploads kept by reference (a FileBlobStore: net/journal.md) an
// upload's bytes are not copied into the journal: its blob file keeps them,
// and the journal counts them once the core has written them (or says the
// core refused them). Callers: FtpsSession, LibraryHost (replay), tests.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "net/journal.h"
#include "reference/ftp/ftp_server_session.h"

namespace imagelib::net {

class JournaledFtpSession {
 public:
  static constexpr std::size_t kMaxBytesBeforeLogin = 256 * 1024;

  // `journal` may be null (no --data-dir); `number` names the session in it.
  // `on_login_failed`, if set, is called once per failed login.
  JournaledFtpSession(Library& library, FtpServerOptions options, std::string peer_address,
                      Journal* journal, std::uint64_t number, bool uploads_by_reference = false,
                      std::function<void()> on_login_failed = {});

  FtpServerActions on_connected(Timestamp at);
  FtpServerActions on_control_bytes(ByteView bytes, Timestamp at);
  FtpServerActions on_control_tls_established(std::string tls_session_id, Timestamp at);
  FtpServerActions on_passive_listener_opened(std::uint16_t port, std::string ipv4_address, Timestamp at);
  FtpServerActions on_passive_listener_failed(Timestamp at);
  FtpServerActions on_data_connection_accepted(DataConnectionId data, std::string peer_address, Timestamp at);
  FtpServerActions on_data_tls_established(DataConnectionId data, std::optional<std::string> resumed_from,
                                           Timestamp at);
  FtpServerActions on_data_bytes(DataConnectionId data, ByteView bytes, Timestamp at);
  FtpServerActions on_data_writable(DataConnectionId data, Timestamp at);
  FtpServerActions on_data_closed(DataConnectionId data, DataCloseReason reason, Timestamp at);
  FtpServerActions on_wake(Timestamp at);
  FtpServerActions on_control_closed(Timestamp at);

  // The account logged in, if any.
  std::optional<AccountId> account() const { return core_.account(); }

 private:
  struct Event {
    nlohmann::json header;
    Bytes payload;
  };
  // Journals one event (or holds it until the login); `sync` false only for
  // bulk data (synced by the next event).
  void record(nlohmann::json event, Timestamp at, ByteView payload = {}, bool sync = true);
  // The event as journaled: with the session's number and the time.
  nlohmann::json stamped(nlohmann::json event, Timestamp at) const;
  // After each event: reports new failed logins; journals what waited once
  // the core has logged in, or closes a session that sent too much first.
  FtpServerActions after(FtpServerActions actions, Timestamp at);
  void append(const nlohmann::json& header, ByteView payload, bool sync);

  FtpServerSession core_;
  Journal* journal_;
  std::uint64_t number_;
  bool uploads_by_reference_;
  std::vector<Event> before_login_;  // the open record first
  std::size_t bytes_before_login_ = 0;
  std::function<void()> on_login_failed_;
  int failures_reported_ = 0;
  bool logged_in_ = false;
};

// The journal header of a session's creation:
// {"t":"ftp","s":number,"e":"open","peer":...,"login_delay_us":...}.
bool is_ftp_session_open(const nlohmann::json& header);
std::string ftp_session_peer(const nlohmann::json& header);
// `base` with the session's own login failure delay (journals before it had none: base's).
FtpServerOptions ftp_session_options(const nlohmann::json& header, FtpServerOptions base);
// Feeds one journaled FTP event (not "open") into `session`; its actions are
// dropped. Upload bytes kept by reference are handed to the core as zeros of
// their count: it only needs their number, and the replaying store does not
// look at them (net/file_blob_store.h).
Status replay_ftp_event(FtpServerSession& session, const nlohmann::json& header, ByteView payload);

}  // namespace imagelib::net
