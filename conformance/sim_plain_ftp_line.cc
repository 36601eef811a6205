#include "conformance/sim_plain_ftp_line.h"

#include "simulator/library_host.h"

namespace imagelib::conformance {

SimPlainFtpLine::SimPlainFtpLine(sim::Host& host, std::string line)
    : host_(host),
      line_(std::move(line)),
      connection_(host.connect(sim::kLibraryHostName, sim::kFtpPort, *this)),
      out_(host, connection_) {}

SimPlainFtpLine::~SimPlainFtpLine() {
  // A connection this client neither closed nor saw end is aborted.
  if (!let_go_) host_.network().reset(connection_, host_.name());
  host_.forget(connection_);
}

void SimPlainFtpLine::on_connected(sim::ConnectionId) {}

void SimPlainFtpLine::on_data(sim::ConnectionId, ByteView data) {
  reader_.append(data);
  while (!finished()) {
    auto reply = reader_.next_reply();
    if (!reply) return;
    if (reply->is_preliminary()) continue;
    if (greeted_ || reply->code != 220) return finish(std::move(*reply));
    greeted_ = true;
    out_.write(line_ + "\r\n");
  }
}

void SimPlainFtpLine::on_writable(sim::ConnectionId) { out_.flush(); }

void SimPlainFtpLine::on_closed(sim::ConnectionId, sim::CloseKind kind) {
  if (kind == sim::CloseKind::kPeerClosed) out_.close_when_sent();
  let_go_ = true;
  host_.forget(connection_);
  if (!reply_) broken_ = true;
}

void SimPlainFtpLine::finish(imagelib::FtpReply reply) {
  reply_ = std::move(reply);
  out_.close_when_sent();
  let_go_ = true;
}

}  // namespace imagelib::conformance
