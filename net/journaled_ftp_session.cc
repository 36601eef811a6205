#include "net/journaled_ftp_session.h"

#include <iostream>

namespace imagelib::net {
namespace {

using nlohmann::json;

Timestamp time_of(const json& header) { return Timestamp::from_micros(header.at("at").get<std::int64_t>()); }

}  // namespace

JournaledFtpSession::JournaledFtpSession(Library& library, FtpServerOptions options,
                                         std::string peer_address, Journal* journal,
                                         std::uint64_t number, std::function<void()> on_login_failed)
    : core_(library, options, peer_address),
      journal_(journal),
      number_(number),
      on_login_failed_(std::move(on_login_failed)) {
  const auto delay = std::chrono::duration_cast<std::chrono::microseconds>(options.login_failure_delay);
  if (journal_ != nullptr) {
    before_login_.push_back({{{"t", "ftp"},
                              {"s", number_},
                              {"e", "open"},
                              {"peer", peer_address},
                              {"login_delay_us", delay.count()}},
                             {}});
  }
}

void JournaledFtpSession::append(const json& header, ByteView payload, bool sync) {
  const Status written = journal_->append(header, payload, sync);
  // A journal that cannot be written loses durability, not service: say so.
  if (!written.ok()) std::cerr << "imagelib serve: " << written.to_string() << "\n";
}

void JournaledFtpSession::record(json event, Timestamp at, ByteView payload, bool sync) {
  if (journal_ == nullptr) return;
  event["t"] = "ftp";
  event["s"] = number_;
  event["at"] = at.micros();
  if (logged_in_) return append(event, payload, sync);
  bytes_before_login_ += payload.size();
  before_login_.push_back({std::move(event), Bytes(payload.begin(), payload.end())});
}

FtpServerActions JournaledFtpSession::after(FtpServerActions actions, Timestamp at) {
  // A PASS can fail on a wake too (it waited behind a failed one).
  for (; failures_reported_ < core_.login_failures(); ++failures_reported_) {
    if (on_login_failed_) on_login_failed_();
  }
  if (journal_ == nullptr || logged_in_) return actions;
  if (core_.account()) {
    logged_in_ = true;
    for (std::size_t i = 0; i < before_login_.size(); ++i) {
      append(before_login_[i].header, before_login_[i].payload, i + 1 == before_login_.size());
    }
    before_login_.clear();
  } else if (bytes_before_login_ > kMaxBytesBeforeLogin && !core_.is_closed()) {
    core_.on_control_closed(at);
    return {FtpSendReply{"421 Too much input before login.\r\n"}, FtpCloseControl{}};
  }
  return actions;
}

FtpServerActions JournaledFtpSession::on_connected(Timestamp at) {
  record({{"e", "connected"}}, at);
  return after(core_.on_connected(at), at);
}
FtpServerActions JournaledFtpSession::on_control_bytes(ByteView bytes, Timestamp at) {
  record({{"e", "control_bytes"}}, at, bytes);
  return after(core_.on_control_bytes(bytes, at), at);
}
FtpServerActions JournaledFtpSession::on_control_tls_established(std::string tls_session_id, Timestamp at) {
  record({{"e", "control_tls"}, {"id", tls_session_id}}, at);
  return after(core_.on_control_tls_established(std::move(tls_session_id), at), at);
}
FtpServerActions JournaledFtpSession::on_passive_listener_opened(std::uint16_t port, std::string ipv4_address,
                                                                 Timestamp at) {
  record({{"e", "listener_opened"}, {"port", port}, {"ip", ipv4_address}}, at);
  return after(core_.on_passive_listener_opened(port, std::move(ipv4_address), at), at);
}
FtpServerActions JournaledFtpSession::on_passive_listener_failed(Timestamp at) {
  record({{"e", "listener_failed"}}, at);
  return after(core_.on_passive_listener_failed(at), at);
}
FtpServerActions JournaledFtpSession::on_data_connection_accepted(DataConnectionId data,
                                                                  std::string peer_address, Timestamp at) {
  record({{"e", "data_accepted"}, {"d", data}, {"peer", peer_address}}, at);
  return after(core_.on_data_connection_accepted(data, std::move(peer_address), at), at);
}
FtpServerActions JournaledFtpSession::on_data_tls_established(DataConnectionId data,
                                                              std::optional<std::string> resumed_from,
                                                              Timestamp at) {
  record({{"e", "data_tls"}, {"d", data}, {"resumed", resumed_from ? json(*resumed_from) : json(nullptr)}}, at);
  return after(core_.on_data_tls_established(data, std::move(resumed_from), at), at);
}
FtpServerActions JournaledFtpSession::on_data_bytes(DataConnectionId data, ByteView bytes, Timestamp at) {
  record({{"e", "data_bytes"}, {"d", data}}, at, bytes, /*sync=*/false);
  return after(core_.on_data_bytes(data, bytes, at), at);
}
FtpServerActions JournaledFtpSession::on_data_writable(DataConnectionId data, Timestamp at) {
  record({{"e", "data_writable"}, {"d", data}}, at, {}, /*sync=*/false);
  return after(core_.on_data_writable(data, at), at);
}
FtpServerActions JournaledFtpSession::on_data_closed(DataConnectionId data, DataCloseReason reason,
                                                     Timestamp at) {
  record({{"e", "data_closed"}, {"d", data}, {"finished", reason == DataCloseReason::kFinished}}, at);
  return after(core_.on_data_closed(data, reason, at), at);
}
FtpServerActions JournaledFtpSession::on_wake(Timestamp at) {
  record({{"e", "wake"}}, at);
  return after(core_.on_wake(at), at);
}
FtpServerActions JournaledFtpSession::on_control_closed(Timestamp at) {
  record({{"e", "control_closed"}}, at);
  return after(core_.on_control_closed(at), at);
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
