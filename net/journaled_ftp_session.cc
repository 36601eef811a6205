#include "net/journaled_ftp_session.h"

#include <iostream>

namespace imagelib::net {
namespace {

using nlohmann::json;

Timestamp time_of(const json& header) { return Timestamp::from_micros(header.at("at").get<std::int64_t>()); }

// `count` upload bytes kept in their blob file, in pieces of at most 1 MiB.
// Every piece fits where the reads they sum did: a read the core refused
// was journaled as a refusal, not counted.
void feed_kept_bytes(FtpServerSession& session, DataConnectionId data, std::uint64_t count, Timestamp at) {
  static const Bytes zeros(1024 * 1024, 0);
  while (count > 0) {
    const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(count, zeros.size()));
    session.on_data_bytes(data, ByteView(zeros.data(), piece), at);
    count -= piece;
  }
}

}  // namespace

JournaledFtpSession::JournaledFtpSession(Library& library, FtpServerOptions options,
                                         std::string peer_address, Journal* journal,
                                         std::uint64_t number, bool uploads_by_reference,
                                         std::function<void()> on_login_failed)
    : core_(library, options, peer_address),
      journal_(journal),
      number_(number),
      uploads_by_reference_(uploads_by_reference),
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

json JournaledFtpSession::stamped(json event, Timestamp at) const {
  event["t"] = "ftp";
  event["s"] = number_;
  event["at"] = at.micros();
  return event;
}

void JournaledFtpSession::record(json event, Timestamp at, ByteView payload, bool sync) {
  if (journal_ == nullptr) return;
  event = stamped(std::move(event), at);
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
  if (!uploads_by_reference_ || journal_ == nullptr) {
    record({{"e", "data_bytes"}, {"d", data}}, at, bytes, /*sync=*/false);
    return after(core_.on_data_bytes(data, bytes, at), at);
  }
  // Counted once the core has written them to the blob file. Bytes the core
  // refused (a failed write, the quota) end the upload; a replay, whose
  // writes cannot fail, ends it there too. Bytes no upload takes change nothing.
  const bool uploading = core_.is_uploading();
  FtpServerActions actions = core_.on_data_bytes(data, bytes, at);
  if (uploading && core_.is_uploading()) {
    const Status written =
        journal_->append_counted(stamped({{"e", "data_bytes"}, {"d", data}, {"n", bytes.size()}}, at), "n");
    if (!written.ok()) std::cerr << "imagelib serve: " << written.to_string() << "\n";
  } else if (uploading) {
    record({{"e", "data_refused"}, {"d", data}}, at);
  }
  return after(std::move(actions), at);
}
FtpServerActions JournaledFtpSession::on_data_writable(DataConnectionId data, Timestamp at) {
  record({{"e", "data_writable"}, {"d", data}}, at, {}, /*sync=*/false);
  return after(core_.on_data_writable(data, at), at);
}
FtpServerActions JournaledFtpSession::on_data_closed(DataConnectionId data, DataCloseReason reason,
                                                     Timestamp at) {
  // Journaled (and synced) after the core made an upload's bytes durable and
  // before its 226 goes out: after a crash, an upload the journal ends has
  // all its bytes in its file.
  FtpServerActions actions = core_.on_data_closed(data, reason, at);
  record({{"e", "data_closed"}, {"d", data}, {"finished", reason == DataCloseReason::kFinished}}, at);
  return after(std::move(actions), at);
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
    } else if (event == "data_bytes" && header.contains("n")) {
      feed_kept_bytes(session, header.at("d").get<DataConnectionId>(), header.at("n").get<std::uint64_t>(), at);
    } else if (event == "data_bytes") {
      session.on_data_bytes(header.at("d").get<DataConnectionId>(), payload, at);
    } else if (event == "data_refused") {
      session.on_data_closed(header.at("d").get<DataConnectionId>(), DataCloseReason::kReset, at);
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
