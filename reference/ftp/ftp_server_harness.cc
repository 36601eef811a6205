#include "reference/ftp/ftp_server_harness.h"

#include <gtest/gtest.h>

#include "reference/ftp/ftp_reply.h"

namespace imagelib::testing {

FtpServerHarness::FtpServerHarness(LibraryOptions library_options, FtpServerOptions server_options)
    : fixture(std::move(library_options)),
      library(fixture.library),
      password(library.reset_ftp_password(fixture.main, fixture.main).value().ftp_password.value()),
      session(fixture.library, std::move(server_options), std::string(kClientAddress)),
      now(fixture.now) {
  run(session.on_connected(now));
}

std::string FtpServerHarness::run(FtpServerActions actions) {
  new_replies_.clear();
  for (FtpServerAction& action : actions) apply(action);
  for (;;) {
    if (events_.empty()) {
      // Virtual time moves on only when nothing else is left to happen.
      const std::optional<Timestamp> due = session.wake_due();
      if (!auto_wake || !due) break;
      events_.push_back([this, at = *due] {
        now = std::max(now, at);
        return session.on_wake(now);
      });
    }
    auto event = std::move(events_.front());
    events_.pop_front();
    FtpServerActions more = event();
    for (FtpServerAction& action : more) apply(action);
  }
  return new_replies_;
}

void FtpServerHarness::apply(FtpServerAction& action) {
  if (auto* reply = std::get_if<FtpSendReply>(&action)) {
    replies += reply->text;
    new_replies_ += reply->text;
  } else if (std::holds_alternative<FtpStartControlTls>(action)) {
    if (auto_control_tls) {
      events_.push_back([this] {
        return session.on_control_tls_established(std::string(kControlTlsId), now);
      });
    }
  } else if (std::holds_alternative<FtpOpenPassiveListener>(action)) {
    const std::uint16_t port = next_port_++;
    listener_port = port;
    events_.push_back([this, port] { return session.on_passive_listener_opened(port, "127.0.0.1", now); });
    if (auto_connect_data) {
      events_.push_back([this] {
        return listener_port ? session.on_data_connection_accepted(next_data_++,
                                                                   std::string(kClientAddress), now)
                             : FtpServerActions{};
      });
    }
  } else if (std::holds_alternative<FtpClosePassiveListener>(action)) {
    listener_port.reset();
  } else if (auto* refuse = std::get_if<FtpRefuseDataConnection>(&action)) {
    refused.push_back(refuse->data);
  } else if (auto* tls = std::get_if<FtpStartDataTls>(&action)) {
    tls_started.push_back(tls->data);
    if (auto_data_tls) {
      const DataConnectionId data = tls->data;
      events_.push_back([this, data] {
        return session.on_data_tls_established(data, data_resumed_from, now);
      });
    }
  } else if (auto* send_data = std::get_if<FtpSendData>(&action)) {
    Bytes& received = downloads[send_data->data];
    received.insert(received.end(), send_data->bytes.begin(), send_data->bytes.end());
    ++data_sends;
    const DataConnectionId data = send_data->data;
    if (auto_ack_data) {
      events_.push_back([this, data] { return session.on_data_writable(data, now); });
    }
  } else if (auto* close = std::get_if<FtpCloseData>(&action)) {
    closed_data.push_back(close->data);
  } else if (auto* wake_at = std::get_if<FtpWakeAt>(&action)) {
    wake_requested = wake_at->at;
  } else if (std::holds_alternative<FtpCloseControl>(action)) {
    control_closed = true;
  }
}

std::string FtpServerHarness::send(std::string_view bytes) {
  return run(session.on_control_bytes(to_bytes(bytes), now));
}

std::string FtpServerHarness::login() {
  std::string answer = send("AUTH TLS\r\n");
  answer += send("USER " + fixture.main + "\r\nPASS " + password + "\r\nPBSZ 0\r\nPROT P\r\n");
  return answer;
}

DataConnectionId FtpServerHarness::connect_data(std::string_view peer) {
  const DataConnectionId data = next_data_++;
  run(session.on_data_connection_accepted(data, std::string(peer), now));
  return data;
}

std::string FtpServerHarness::upload(ByteView bytes, std::optional<DataCloseReason> end) {
  std::string out = run(session.on_data_bytes(last_data(), bytes, now));
  if (end) out += run(session.on_data_closed(last_data(), *end, now));
  return out;
}

std::string FtpServerHarness::close_data(DataCloseReason reason) {
  return run(session.on_data_closed(last_data(), reason, now));
}

std::string FtpServerHarness::data_tls_established(std::optional<std::string> resumed_from) {
  return run(session.on_data_tls_established(last_data(), std::move(resumed_from), now));
}

std::string FtpServerHarness::wake(Timestamp at) {
  now = std::max(now, at);
  return run(session.on_wake(now));
}

std::string FtpServerHarness::data_writable() {
  return run(session.on_data_writable(last_data(), now));
}

std::string FtpServerHarness::last_download() const {
  auto it = downloads.find(last_data());
  if (it == downloads.end()) return "";
  return std::string(it->second.begin(), it->second.end());
}

std::vector<int> reply_codes(std::string_view text) {
  FtpReplyReader reader;
  reader.append(to_bytes(text));
  std::vector<int> codes;
  while (auto reply = reader.next_reply()) codes.push_back(reply->code);
  return codes;
}

}  // namespace imagelib::testing
