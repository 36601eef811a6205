// The library host through the simulated network: the API core over HTTP/1.1
// and modelled TLS, and the FTP server core driven by a scripted client
// (fixed command lines, checked replies), including data-channel TLS
// session reuse, its refusal (522) and a crash of the host.
#include "simulator/library_host.h"

#include <gtest/gtest.h>

#include "simulator/api_client_channel.h"

namespace imagelib::sim {
namespace {

const Timestamp kEpoch = Timestamp::from_unix_seconds(1305806400);

// A client connection that records what it reads (after modelled TLS, once on).
class ScriptedConnection final : public ConnectionHandler {
 public:
  ScriptedConnection(Host& host, int port) : host_(host) {
    id_ = host_.connect(kLibraryHostName, port, *this);
    out_ = std::make_unique<Outbox>(host_, id_);
  }
  ~ScriptedConnection() override { host_.forget(id_); }

  void start_tls(std::optional<std::string> resume) { out_->write(tls_.start_client(resume).to_send); }
  void send(const std::string& text) { out_->write(text); }
  void close() { out_->close_when_sent(); }

  void on_connected(ConnectionId) override { connected = true; }
  void on_data(ConnectionId, ByteView data) override {
    if (tls_.handshaking()) {
      auto out = tls_.on_bytes(data);
      out_->write(out.to_send);
      received.append(out.application.begin(), out.application.end());
      return;
    }
    received.append(data.begin(), data.end());
  }
  void on_writable(ConnectionId) override { out_->flush(); }
  void on_closed(ConnectionId, CloseKind kind) override { closed = kind; }

  bool tls_established() const { return tls_.state() == ModelledTls::State::kEstablished; }
  const std::string& session_id() const { return tls_.session_id(); }

  bool connected = false;
  std::string received;
  std::optional<CloseKind> closed;

 private:
  Host& host_;
  ConnectionId id_ = 0;
  std::unique_ptr<Outbox> out_;
  ModelledTls tls_{ModelledTls::Role::kClient};
};

class LibraryHostTest : public ::testing::Test {
 protected:
  LibraryHostTest()
      : loop(kEpoch, false),
        network(loop, Rng(5), FaultSettings{}),
        api(library),
        library_host(loop, network, library, api),
        client(loop, network, "client-1") {
    account = library.create_account("example").value().id;
    api_client = library.create_api_client(account).value();
    password = *library.reset_ftp_password(account, account).value().ftp_password;
    library_host.start();
  }

  // Runs events until `done` holds or nothing is left (bounded in virtual time).
  template <class Predicate>
  bool run_until(Predicate done) {
    const SimTime limit = loop.now() + 120 * kSecond;
    while (!done()) {
      auto next = loop.next_event_time();
      if (!next || *next > limit) return false;
      loop.step();
    }
    return true;
  }

  // Reads until the reply text contains `code ` at a line start after `from`.
  bool wait_reply(ScriptedConnection& c, const std::string& code) {
    return run_until([&] {
      return c.received.find("\n" + code + " ") != std::string::npos ||
             c.received.rfind(code + " ", 0) == 0;
    });
  }

  // Connects, upgrades with AUTH TLS and logs in; the control connection.
  std::unique_ptr<ScriptedConnection> login() {
    auto control = std::make_unique<ScriptedConnection>(client, kFtpPort);
    EXPECT_TRUE(wait_reply(*control, "220"));
    control->send("AUTH TLS\r\n");
    EXPECT_TRUE(wait_reply(*control, "234"));
    control->received.clear();
    control->start_tls(std::nullopt);
    EXPECT_TRUE(run_until([&] { return control->tls_established(); }));
    control->send("USER " + account + "\r\nPASS " + password + "\r\nPBSZ 0\r\nPROT P\r\n");
    EXPECT_TRUE(wait_reply(*control, "230"));
    EXPECT_TRUE(wait_reply(*control, "200"));
    return control;
  }

  int passive_port(ScriptedConnection& control) {
    control.received.clear();
    control.send("EPSV\r\n");
    EXPECT_TRUE(wait_reply(control, "229"));
    const std::size_t bars = control.received.find("(|||");
    return std::stoi(control.received.substr(bars + 4));
  }

  EventLoop loop;
  Network network;
  Library library;
  ApiService api;
  LibraryHost library_host;
  Host client;
  AccountId account;
  ApiClient api_client;
  std::string password;
};

TEST_F(LibraryHostTest, ApiRequestsTravelAsHttpOverModelledTls) {
  auto channel = std::make_shared<ApiClientChannel>(client, 30 * kSecond);
  HttpRequest request;
  request.method = "GET";
  request.target = "/1.0/images";
  request.headers["authorization"] = "Bearer nonsense";
  std::optional<HttpResponse> response;
  bool answered = false;
  channel->send(request, [&](std::optional<HttpResponse> r) {
    response = std::move(r);
    answered = true;
  });
  ASSERT_TRUE(run_until([&] { return answered; }));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(response->headers.count("www-authenticate"), 1u);
}

TEST_F(LibraryHostTest, MalformedHttpGets400AndTheConnectionCloses) {
  ScriptedConnection raw(client, kApiPort);
  ASSERT_TRUE(run_until([&] { return raw.connected; }));
  raw.start_tls(std::nullopt);
  ASSERT_TRUE(run_until([&] { return raw.tls_established(); }));
  raw.send("NONSENSE\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return raw.closed.has_value(); }));
  EXPECT_EQ(raw.received.rfind("HTTP/1.1 400", 0), 0u) << raw.received;
}

TEST_F(LibraryHostTest, FtpLoginAndListOverADataConnectionThatResumesTheTlsSession) {
  auto control = login();
  const int port = passive_port(*control);
  control->received.clear();
  control->send("NLST /\r\n");
  ScriptedConnection data(client, port);
  ASSERT_TRUE(run_until([&] { return data.connected; }));
  data.start_tls(control->session_id());
  ASSERT_TRUE(run_until([&] { return data.closed.has_value(); }));
  ASSERT_TRUE(wait_reply(*control, "226")) << control->received;
  EXPECT_NE(data.received.find("incoming"), std::string::npos);
  EXPECT_NE(data.received.find("images"), std::string::npos);
}

TEST_F(LibraryHostTest, ADataConnectionWithoutTlsSessionReuseGets522) {
  auto control = login();
  const int port = passive_port(*control);
  control->received.clear();
  control->send("LIST\r\n");
  ScriptedConnection data(client, port);
  ASSERT_TRUE(run_until([&] { return data.connected; }));
  data.start_tls(std::nullopt);
  ASSERT_TRUE(wait_reply(*control, "522")) << control->received;
  EXPECT_EQ(data.received, "");
}

TEST_F(LibraryHostTest, ACrashDropsSessionsKeepsThePartialUploadAndRestartServesAgain) {
  auto control = login();
  const int port = passive_port(*control);
  control->send("STOR /incoming/part.img\r\n");
  ScriptedConnection data(client, port);
  ASSERT_TRUE(run_until([&] { return data.connected; }));
  data.start_tls(control->session_id());
  ASSERT_TRUE(wait_reply(*control, "150")) << control->received;
  data.send(std::string(5000, 'x'));
  ASSERT_TRUE(run_until([&] {
    auto stat = library.ftp_stat(account, FtpPath{FtpFolder::kIncoming, "part.img"});
    return stat.ok() && stat->size == 5000;
  }));
  library_host.crash();
  ASSERT_TRUE(run_until([&] { return control->closed.has_value() && data.closed.has_value(); }));
  EXPECT_EQ(*control->closed, CloseKind::kReset);
  EXPECT_EQ(library_host.live_ftp_sessions(), 0u);
  EXPECT_EQ(library.ftp_stat(account, FtpPath{FtpFolder::kIncoming, "part.img"})->size, 5000u);

  ScriptedConnection refused(client, kFtpPort);
  ASSERT_TRUE(run_until([&] { return refused.closed.has_value(); }));
  EXPECT_EQ(*refused.closed, CloseKind::kRefused);

  library_host.restart();
  auto again = login();
  again->received.clear();
  again->send("SIZE /incoming/part.img\r\n");
  ASSERT_TRUE(wait_reply(*again, "213"));
  EXPECT_NE(again->received.find("5000"), std::string::npos);
}

}  // namespace
}  // namespace imagelib::sim
