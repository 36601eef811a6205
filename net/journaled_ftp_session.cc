#include "net/journaled_ftp_session.h"

#include <iostream>

namespace imagelib::net {
namespace {

using nlohmann::json;

Timestamp time_of(const json& header) { return Timestamp::from_micros(header.at("at").get<std::int64_t>()); }

}  // namespace

JournaledFtpSession::JournaledFtpSession(Library& library, FtpServerOptions options,
                                         std::string peer_address, Journal* journal,
                                         std::uint64_t number)
    : core_(library, options, peer_address), journal_(journal), number_(number) {
  if (journal_ != nullptr) {
    const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(options.login_failure_delay);
    const Status written = journal_->append({{"t", "ftp"},
                                             {"s", number_},
                                             {"e", "open"},
                                             {"peer", peer_address},
                                             {"login_delay_us", delay.count()}});
    if (!written.ok()) std::cerr << "imagelib serve: " << written.to_string() << "\n";
  }
}

void JournaledFtpSession::record(json event, Timestamp at, ByteView payload, bool sync) {
  if (journal_ == nullptr) return;
  event["t"] = "ftp";
  event["s"] = number_;
  event["at"] = at.micros();
  const Status written = journal_->append(event, payload, sync);
  // A journal that cannot be written loses durability, not service: say so.
  if (!written.ok()) std::cerr << "imagelib serve: " << written.to_string() << "\n";
}

FtpServerActions JournaledFtpSession::on_connected(Timestamp at) {
  record({{"e", "connected"}}, at);
  return core_.on_connected(at);
}
FtpServerActions JournaledFtpSession::on_control_bytes(ByteView bytes, Timestamp at) {
  record({{"e", "control_bytes"}}, at, bytes);
  return core_.on_control_bytes(bytes, at);
}
FtpServerActions JournaledFtpSession::on_control_tls_established(std::string tls_session_id, Timestamp at) {
  record({{"e", "control_tls"}, {"id", tls_session_id}}, at);
  return core_.on_control_tls_established(std::move(tls_session_id), at);
}
FtpServerActions JournaledFtpSession::on_passive_listener_opened(std::uint16_t port, std::string ipv4_address,
                                                                 Timestamp at) {
  record({{"e", "listener_opened"}, {"port", port}, {"ip", ipv4_address}}, at);
  return core_.on_passive_listener_opened(port, std::move(ipv4_address), at);
}
FtpServerActions JournaledFtpSession::on_passive_listener_failed(Timestamp at) {
  record({{"e", "listener_failed"}}, at);
  return core_.on_passive_listener_failed(at);
}
FtpServerActions JournaledFtpSession::on_data_connection_accepted(DataConnectionId data,
                                                                  std::string peer_address, Timestamp at) {
  record({{"e", "data_accepted"}, {"d", data}, {"peer", peer_address}}, at);
  return core_.on_data_connection_accepted(data, std::move(peer_address), at);
}
FtpServerActions JournaledFtpSession::on_data_tls_established(DataConnectionId data,
                                                              std::optional<std::string> resumed_from,
                                                              Timestamp at) {
  record({{"e", "data_tls"}, {"d", data}, {"resumed", resumed_from ? json(*resumed_from) : json(nullptr)}}, at);
  return core_.on_data_tls_established(data, std::move(resumed_from), at);
}
FtpServerActions JournaledFtpSession::on_data_bytes(DataConnectionId data, ByteView bytes, Timestamp at) {
  record({{"e", "data_bytes"}, {"d", data}}, at, bytes, /*sync=*/false);
  return core_.on_data_bytes(data, bytes, at);
}
FtpServerActions JournaledFtpSession::on_data_writable(DataConnectionId data, Timestamp at) {
  record({{"e", "data_writable"}, {"d", data}}, at, {}, /*sync=*/false);
  return core_.on_data_writable(data, at);
}
FtpServerActions JournaledFtpSession::on_data_closed(DataConnectionId data, DataCloseReason reason,
                                                     Timestamp at) {
  record({{"e", "data_closed"}, {"d", data}, {"finished", reason == DataCloseReason::kFinished}}, at);
  return core_.on_data_closed(data, reason, at);
}
FtpServerActions JournaledFtpSession::on_wake(Timestamp at) {
  record({{"e", "wake"}}, at);
  return core_.on_wake(at);
}
FtpServerActions JournaledFtpSession::on_control_closed(Timestamp at) {
  record({{"e", "control_closed"}}, at);
  return core_.on_control_closed(at);
}

bool is_ftp_session_open(const json& header) { return header.value("e", "") == "open"; }

std::string ftp_session_peer(const json& header) { return header.value("peer", ""); }

FtpServerOptions ftp_session_options(const json& header, FtpServerOptions base) {
  if (const auto delay = header.find("login_delay_us"); delay != header.end()) {
    base.login_failure_delay = std::chrono::microseconds(delay->get<std::int64_t>());
  }
  return base;
}

Status replay_ftp_event(FtpServerSession& session, const json& header, ByteView payload) {
  try {
    const std::string event = header.at("e").get<std::string>();
    const Timestamp at = time_of(header);
    if (event == "connected") {
      session.on_connected(at);
    } else if (event == "control_bytes") {
      session.on_control_bytes(payload, at);
    } else if (event == "control_tls") {
      session.on_control_tls_established(header.at("id").get<std::string>(), at);
    } else if (event == "listener_opened") {
      session.on_passive_listener_opened(header.at("port").get<std::uint16_t>(),
                                         header.at("ip").get<std::string>(), at);
    } else if (event == "listener_failed") {
      session.on_passive_listener_failed(at);
    } else if (event == "data_accepted") {
      session.on_data_connection_accepted(header.at("d").get<DataConnectionId>(),
                                          header.at("peer").get<std::string>(), at);
    } else if (event == "data_tls") {
      const json& resumed = header.at("resumed");
      session.on_data_tls_established(
          header.at("d").get<DataConnectionId>(),
          resumed.is_null() ? std::nullopt : std::optional<std::string>(resumed.get<std::string>()), at);
    } else if (event == "data_bytes") {
      session.on_data_bytes(header.at("d").get<DataConnectionId>(), payload, at);
    } else if (event == "data_writable") {
      session.on_data_writable(header.at("d").get<DataConnectionId>(), at);
    } else if (event == "data_closed") {
      session.on_data_closed(header.at("d").get<DataConnectionId>(),
                             header.at("finished").get<bool>() ? DataCloseReason::kFinished
                                                               : DataCloseReason::kReset,
                             at);
    } else if (event == "wake") {
      session.on_wake(at);
    } else if (event == "control_closed") {
      session.on_control_closed(at);
    } else {
      return Status(ErrorCode::kInternal, "journal: unknown FTP event " + event);
    }
  } catch (const json::exception& error) {
    return Status(ErrorCode::kInternal, std::string("journal: bad FTP event: ") + error.what());
  }
  return {};
}

}  // namespace imagelib::net
