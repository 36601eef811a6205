// FtpsSession: one FTPS control connection with its passive listener and
// data connections, driving one FtpServerSession (events in, actions out).
// Internal to FtpsServer (ftps_server.cc); single-threaded like it.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "net/ftps_server.h"

namespace imagelib::net {

// What a session needs from its server.
struct FtpsSessionContext {
  LibraryHost& host;
  boost::asio::ssl::context& tls;
  const FtpsServerOptions& options;
  // Picks the next passive port to try (round robin over the range).
  std::function<std::uint16_t()> next_passive_port;
  // Called once when the session has ended.
  std::function<void()> on_ended;
};

class FtpsSession : public std::enable_shared_from_this<FtpsSession> {
 public:
  FtpsSession(FtpsSessionContext context, boost::asio::ip::tcp::socket socket);
  ~FtpsSession();

  void start();
  // Writes `reply` in plain text and closes (used when over the session limit).
  void refuse(std::string reply);

 private:
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
  struct DataConnection;
  // What the control connection does next, in order.
  struct ControlStep {
    enum class Kind : std::uint8_t { kWrite, kStartTls, kClose } kind;
    std::string text;
  };

  void execute(FtpServerActions actions);
  void execute_one(FtpServerAction& action);
  void run_control_steps();
  void read_control();
  void on_control_read(boost::system::error_code error, std::size_t bytes);
  void start_control_tls();
  void arm_idle_timer();
  void arm_idle_timer(std::chrono::seconds timeout);
  void end_session();

  void open_passive_listener();
  void close_passive_listener();
  void accept_data();
  void start_data_tls(DataConnectionId id);
  void read_data(const std::shared_ptr<DataConnection>& data);
  void send_data(DataConnectionId id, Bytes bytes);
  void close_data(DataConnectionId id, bool graceful);
  void shutdown_data(const std::shared_ptr<DataConnection>& data);
  void data_failed(const std::shared_ptr<DataConnection>& data, DataCloseReason reason);
  void arm_transfer_timer(const std::shared_ptr<DataConnection>& data);
  void wake_at(Timestamp at);
  void arm_login_timer();
  void time_out();

  FtpsSessionContext context_;
  TlsStream control_;
  std::unique_ptr<JournaledFtpSession> core_;
  std::string peer_address_;
  std::string id_context_;
  bool control_secure_ = false;
  bool control_busy_ = false;      // a write or handshake on the control connection runs
  bool reading_control_ = false;
  bool control_tls_due_ = false;  // AUTH accepted; the handshake has not ended
  // A data connection has used a session ticket: the next control write
  // carries a fresh one (TLS 1.3), so the client has one for its next transfer.
  bool control_ticket_due_ = false;
  bool ended_ = false;
  std::deque<ControlStep> control_steps_;
  std::string control_out_;
  std::array<std::uint8_t, 16 * 1024> control_in_{};
  boost::asio::steady_timer idle_timer_;
  boost::asio::steady_timer login_timer_;
  boost::asio::steady_timer wake_timer_;
  std::optional<boost::asio::ip::tcp::acceptor> listener_;
  std::map<DataConnectionId, std::shared_ptr<DataConnection>> data_;
  DataConnectionId next_data_id_ = 1;
};

}  // namespace imagelib::net
