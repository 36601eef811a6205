// FtpsServer: explicit FTPS (RFC 4217) on real sockets around the sans-I/O
// FtpServerSession core (reference/ftp). It accepts control connections,
// runs the TLS handshakes the core asks for (control: a per-connection
// session-id context, and a fresh TLS 1.3 ticket after each data handshake;
// data: bound to it, no session tickets), opens passive
// listeners from a port range, moves data bytes, and enforces the limits a
// real server needs: idle, handshake and transfer timeouts, a maximum number
// of sessions in all and per address, a login deadline, the core's login
// delay as an Asio timer, a pause before accepting again when out of
// descriptors. Every FTP decision
// (reply codes, paths, who may write what) is the core's. Runs on the
// io_context's single thread, the strand that owns the Library.
//
// A failed upload is never answered as a finished one: a data TLS handshake
// that fails after `150` answers 425, one that does not resume this control
// session 522 (one that offers another login's session: 425), a reset or a transfer
// timeout mid-upload 426. The bytes received stay in incoming/ under the
// file's name, as vsftpd keeps them (its delete_failed_uploads=NO default),
// so that SIZE then REST+STOR resumes the upload (SPEC §3); removing them
// would lose what a slow link managed to send. A TCP FIN without TLS
// close_notify ends an upload as complete, as vsftpd's strict_ssl_read_eof=NO
// (vsftpd: "so few clients get it right"; curl, lftp and ftplib do send it).
// Callers: tools/serve_command, tests, bench.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "net/library_host.h"
#include "reference/ftp/ftp_server_session.h"

namespace imagelib::net {

struct FtpsServerOptions {
  // Passive ports are taken from [passive_port_low, passive_port_high];
  // 0 and 0: any free port the kernel picks.
  std::uint16_t passive_port_low = 0;
  std::uint16_t passive_port_high = 0;
  // No whole command line on an idle control connection (bytes without an
  // end of line do not count, so a trickle of junk cannot hold a session).
  std::chrono::seconds idle_timeout{300};
  std::chrono::seconds transfer_timeout{300};  // no byte moved on a data connection
  std::chrono::seconds handshake_timeout{30};  // a TLS handshake, control or data
  // From connect to a successful login, whatever the client sends meanwhile.
  std::chrono::seconds login_timeout{60};
  // Control sessions in all and from one address (vsftpd's max_clients and
  // max_per_ip); one more is answered 421 and closed. 200 clients behind one
  // address (a NAT, a test rig) are served; a session holds up to three
  // descriptors, so serve raises its descriptor limit to fit.
  std::size_t max_sessions = 512;
  std::size_t max_sessions_per_address = 256;
  // As vsftpd's require_ssl_reuse: a data connection must resume its control
  // connection's TLS session. Off, any data TLS handshake is accepted.
  bool require_tls_session_reuse = true;
};

class FtpsServer {
 public:
  // Binds and listens at once; throws boost::system::system_error if it cannot.
  FtpsServer(boost::asio::io_context& io, boost::asio::ssl::context& tls,
             const boost::asio::ip::tcp::endpoint& endpoint, FtpsServerOptions options = {});
  ~FtpsServer();
  FtpsServer(const FtpsServer&) = delete;
  FtpsServer& operator=(const FtpsServer&) = delete;

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Starts serving sessions with `host`, which must outlive the server.
  void start(LibraryHost& host);
  // Stops accepting; sessions already open end on their own.
  void stop();
  std::size_t open_sessions() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace imagelib::net
