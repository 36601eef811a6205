// SimPlainFtpLine: a client on a simulated host that opens an FTP control
// connection to the library host, waits for the greeting, sends one command
// line in plain text (no AUTH TLS first) and keeps the reply to it: how the
// sim target shows what a server says to `USER` before TLS. Events come
// through the Host; the object must outlive the wait for finished().
// Single-threaded.
#pragma once

#include <optional>
#include <string>

#include "reference/ftp/ftp_reply.h"
#include "simulator/host.h"

namespace imagelib::conformance {

class SimPlainFtpLine final : public sim::ConnectionHandler {
 public:
  // Connects at once; `line` is sent without its CRLF.
  SimPlainFtpLine(sim::Host& host, std::string line);
  ~SimPlainFtpLine() override;
  SimPlainFtpLine(const SimPlainFtpLine&) = delete;
  SimPlainFtpLine& operator=(const SimPlainFtpLine&) = delete;

  // A reply came, or the connection ended before one did.
  bool finished() const { return reply_.has_value() || broken_; }
  // The reply to the line (or a greeting other than 220); nullopt if the
  // connection broke first.
  const std::optional<imagelib::FtpReply>& reply() const { return reply_; }

  void on_connected(sim::ConnectionId id) override;
  void on_data(sim::ConnectionId id, ByteView data) override;
  void on_writable(sim::ConnectionId id) override;
  void on_closed(sim::ConnectionId id, sim::CloseKind kind) override;

 private:
  void finish(imagelib::FtpReply reply);

  sim::Host& host_;
  std::string line_;
  sim::ConnectionId connection_;
  sim::Outbox out_;
  FtpReplyReader reader_;
  bool greeted_ = false;
  bool broken_ = false;
  bool let_go_ = false;  // closed by this side or ended by the peer
  std::optional<imagelib::FtpReply> reply_;
};

}  // namespace imagelib::conformance
