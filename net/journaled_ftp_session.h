// JournaledFtpSession: an FtpServerSession whose every event is first
// written to the Journal (when there is one), and the inverse,
// replay_ftp_event(), which feeds a journaled event back into a session.
// Together they let a restarted server rebuild what FTP clients did (uploads,
// renames, deletes) in the same order relative to the API. Callers:
// FtpsSession, LibraryHost (replay), tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "net/journal.h"
#include "reference/ftp/ftp_server_session.h"

namespace imagelib::net {

class JournaledFtpSession {
 public:
  // `journal` may be null (no --data-dir); `number` names the session in it.
  JournaledFtpSession(Library& library, FtpServerOptions options, std::string peer_address,
                      Journal* journal, std::uint64_t number);

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
  int login_failures() const { return core_.login_failures(); }

 private:
  // Journals one event; `sync` false only for bulk data (synced by the next event).
  void record(nlohmann::json event, Timestamp at, ByteView payload = {}, bool sync = true);

  FtpServerSession core_;
  Journal* journal_;
  std::uint64_t number_;
};

// The journal header of a session's creation:
// {"t":"ftp","s":number,"e":"open","peer":...,"login_delay_us":...}.
bool is_ftp_session_open(const nlohmann::json& header);
std::string ftp_session_peer(const nlohmann::json& header);
// `base` with the session's own login failure delay (journals before it had none: base's).
FtpServerOptions ftp_session_options(const nlohmann::json& header, FtpServerOptions base);
// Feeds one journaled FTP event (not "open") into `session`; its actions are dropped.
Status replay_ftp_event(FtpServerSession& session, const nlohmann::json& header, ByteView payload);

}  // namespace imagelib::net
