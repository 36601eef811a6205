// FtpsClient: an explicit-FTPS client on real sockets around the sans-I/O
// FtpClientSession core (reference/ftp): AUTH TLS, PBSZ 0, PROT P, EPSV with
// PASV fallback, REST/APPE resume, upload, download, list, delete, rename —
// the core decides every command; this class moves bytes and runs the TLS
// handshakes, resuming the control connection's TLS session on every data
// connection. Single-threaded: runs on the io_context it is given.
// Callers: bench/, tests, the remote conformance target.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "reference/base/status.h"
#include "reference/ftp/ftp_client_session.h"

namespace imagelib::net {

class FtpsClient {
 public:
  using OutcomeHandler = std::function<void(const FtpClientOutcome&)>;
  // Told the size of every block read from a data connection (progress displays).
  using DataReadObserver = std::function<void(std::size_t bytes)>;

  // `server_name`, when given, is sent as SNI on the control and data connections.
  FtpsClient(boost::asio::io_context& io, boost::asio::ssl::context& tls,
             boost::asio::ip::tcp::endpoint server, FtpClientOptions options,
             std::string server_name = {});
  ~FtpsClient();
  FtpsClient(const FtpsClient&) = delete;
  FtpsClient& operator=(const FtpsClient&) = delete;

  // Connects and logs in; every outcome (the login's is operation 0) goes to `on_outcome`.
  void connect(OutcomeHandler on_outcome);
  // Queues an operation; returns its number (see FtpClientOutcome::operation).
  std::uint64_t start(FtpClientOperation operation);
  // QUIT after the operations queued so far; call it once the login
  // succeeded (before that, the core ends the session at once).
  void quit();
  bool is_closed() const;
  void observe_data_reads(DataReadObserver observer);

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::uint64_t started_ = 0;
};

// Connects, logs in, runs `operations` in order and quits, on a private
// io_context; returns every outcome (the login's first). For tools and tests.
Result<std::vector<FtpClientOutcome>> run_ftps_operations(
    const boost::asio::ip::tcp::endpoint& server, boost::asio::ssl::context& tls,
    FtpClientOptions options, std::vector<FtpClientOperation> operations,
    FtpsClient::DataReadObserver on_data_read = {});

}  // namespace imagelib::net
