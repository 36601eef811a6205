#include "net/tls_context.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <filesystem>

#include "net/self_signed.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

struct Handshake {
  bool reused = false;
  std::optional<std::string> resumed_context;
  int tickets_received = 0;
};

// Counts the sessions (TLS 1.2 ids or TLS 1.3 tickets) the client is handed.
int g_new_client_sessions = 0;
int count_new_session(SSL*, SSL_SESSION*) {
  ++g_new_client_sessions;
  return 0;  // the session is not kept by the callback
}

class TlsContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "tls-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    auto files = write_self_signed_certificate(directory_);
    ASSERT_TRUE(files.ok()) << files.status().to_string();
    auto server = make_server_tls_context(*files);
    ASSERT_TRUE(server.ok()) << server.status().to_string();
    server_.emplace(std::move(*server));
    auto client = make_client_tls_context(files->certificate_chain_file);
    ASSERT_TRUE(client.ok()) << client.status().to_string();
    client_.emplace(std::move(*client));
    SSL_CTX_sess_set_new_cb(client_->native_handle(), count_new_session);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  // One loopback connection: the server binds `server_context_id` (and no
  // tickets when `data_connection`), the client offers `session`. Returns
  // what the server saw; `session_out` gets the client's session afterwards.
  Handshake connect(const std::string& server_context_id, bool data_connection,
                    SSL_SESSION* session, SSL_SESSION** session_out, int max_version) {
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    ssl::stream<tcp::socket> server(io, *server_);
    ssl::stream<tcp::socket> client(io, *client_);
    SSL_set_max_proto_version(client.native_handle(), max_version);
    if (session != nullptr) SSL_set_session(client.native_handle(), session);
    bind_session_id_context(server.native_handle(), server_context_id);
    if (data_connection) disable_session_tickets(server.native_handle());
    Handshake result;
    g_new_client_sessions = 0;
    std::array<char, 1> byte{};
    acceptor.async_accept(server.next_layer(), [&](boost::system::error_code ec) {
      ASSERT_FALSE(ec) << ec.message();
      server.async_handshake(ssl::stream_base::server, [&](boost::system::error_code hs) {
        ASSERT_FALSE(hs) << hs.message();
        result.reused = SSL_session_reused(server.native_handle()) == 1;
        result.resumed_context = resumed_session_id_context(server.native_handle());
        asio::write(server, asio::buffer("x", 1));
      });
    });
    client.next_layer().async_connect(acceptor.local_endpoint(), [&](boost::system::error_code ec) {
      ASSERT_FALSE(ec) << ec.message();
      client.async_handshake(ssl::stream_base::client, [&](boost::system::error_code hs) {
        ASSERT_FALSE(hs) << hs.message();
        asio::async_read(client, asio::buffer(byte), [&](boost::system::error_code, std::size_t) {
          SSL_SESSION* got = SSL_get1_session(client.native_handle());
          result.tickets_received = g_new_client_sessions;
          if (session_out != nullptr) {
            *session_out = got;
          } else {
            SSL_SESSION_free(got);
          }
        });
      });
    });
    io.run();
    // As after a close_notify: an SSL freed without one drops its session from the cache.
    SSL_set_shutdown(server.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(client.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    return result;
  }

  // A control connection kept open across data connections: the server binds
  // `context_id`, both handshakes run at once.
  struct OpenControl {
    OpenControl(ssl::context& server_context, ssl::context& client_context, const std::string& context_id,
                int max_version)
        : acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)),
          server(io, server_context),
          client(io, client_context) {
      SSL_set_max_proto_version(client.native_handle(), max_version);
      bind_session_id_context(server.native_handle(), context_id);
      acceptor.async_accept(server.next_layer(), [&](boost::system::error_code ec) {
        ASSERT_FALSE(ec) << ec.message();
        server.async_handshake(ssl::stream_base::server,
                               [](boost::system::error_code hs) { ASSERT_FALSE(hs) << hs.message(); });
      });
      client.next_layer().async_connect(acceptor.local_endpoint(), [&](boost::system::error_code ec) {
        ASSERT_FALSE(ec) << ec.message();
        client.async_handshake(ssl::stream_base::client,
                               [](boost::system::error_code hs) { ASSERT_FALSE(hs) << hs.message(); });
      });
      io.run();
    }
    ~OpenControl() {
      SSL_set_shutdown(server.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
      SSL_set_shutdown(client.native_handle(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    }
    // The server writes a reply byte, the client reads it (and the tickets
    // sent before it); returns the client's session, as its next data
    // connection would offer it, and how many new sessions it was handed.
    std::pair<SSL_SESSION*, int> reply() {
      g_new_client_sessions = 0;
      std::array<char, 1> byte{};
      asio::async_write(server, asio::buffer("r", 1), [](boost::system::error_code, std::size_t) {});
      asio::async_read(client, asio::buffer(byte), [](boost::system::error_code ec, std::size_t) {
        ASSERT_FALSE(ec) << ec.message();
      });
      io.restart();
      io.run();
      return {SSL_get1_session(client.native_handle()), g_new_client_sessions};
    }

    asio::io_context io;
    tcp::acceptor acceptor;
    ssl::stream<tcp::socket> server;
    ssl::stream<tcp::socket> client;
  };

  std::string directory_;
  std::optional<ssl::context> server_;
  std::optional<ssl::context> client_;
};

class TlsVersions : public TlsContextTest, public ::testing::WithParamInterface<int> {};

TEST_P(TlsVersions, DataConnectionsResumeOnlyTheirOwnControlSession) {
  const std::string alice = new_session_id_context();
  const std::string bob = new_session_id_context();
  ASSERT_NE(alice, bob);
  SSL_SESSION* alice_session = nullptr;
  Handshake control = connect(alice, false, nullptr, &alice_session, GetParam());
  EXPECT_FALSE(control.reused);
  ASSERT_NE(alice_session, nullptr);
  EXPECT_GE(control.tickets_received, 1);

  Handshake own = connect(alice, true, alice_session, nullptr, GetParam());
  EXPECT_TRUE(own.reused);
  EXPECT_EQ(own.resumed_context, alice);

  // Offered and declined: "" tells it from a data connection that offers
  // nothing (SPEC §4: 425, not 522). A TLS 1.3 client offers a ticket once,
  // so another control handshake of alice's gives the one bob's data offers.
  SSL_SESSION* alice_again = nullptr;
  connect(alice, false, nullptr, &alice_again, GetParam());
  ASSERT_NE(alice_again, nullptr);
  Handshake stolen = connect(bob, true, alice_again, nullptr, GetParam());
  EXPECT_FALSE(stolen.reused);
  EXPECT_EQ(stolen.resumed_context, std::string());
  SSL_SESSION_free(alice_again);

  Handshake fresh = connect(bob, true, nullptr, nullptr, GetParam());
  EXPECT_FALSE(fresh.reused);
  EXPECT_EQ(fresh.resumed_context, std::nullopt);
  SSL_SESSION_free(alice_session);
}

TEST_P(TlsVersions, DataConnectionsSendNoTicket) {
  const std::string control_id = new_session_id_context();
  SSL_SESSION* session = nullptr;
  connect(control_id, false, nullptr, &session, GetParam());
  SSL_SESSION* data_session = nullptr;
  Handshake data = connect(control_id, true, session, &data_session, GetParam());
  EXPECT_TRUE(data.reused);
  EXPECT_EQ(data.tickets_received, 0);
  SSL_SESSION_free(session);
  SSL_SESSION_free(data_session);
}

// What each data connection of one control session resumes (SPEC §4): a
// TLS 1.3 client may offer each ticket once (curl, Ruby's net/ftp), so after
// a data connection the control connection hands it a fresh one with its
// next reply; a TLS 1.2 session resumes again without one.
TEST_P(TlsVersions, AFreshControlTicketResumesTheNextDataConnection) {
  const std::string control_id = new_session_id_context();
  OpenControl control(*server_, *client_, control_id, GetParam());
  SSL_SESSION* first_session = control.reply().first;  // TLS 1.3: the handshake's tickets
  Handshake first = connect(control_id, true, first_session, nullptr, GetParam());
  EXPECT_TRUE(first.reused);
  EXPECT_EQ(first.tickets_received, 0);

  send_fresh_session_ticket(control.server.native_handle());
  auto [next_session, next_tickets] = control.reply();
  EXPECT_EQ(next_tickets, GetParam() == TLS1_3_VERSION ? 1 : 0);
  Handshake next = connect(control_id, true, next_session, nullptr, GetParam());
  EXPECT_TRUE(next.reused);
  EXPECT_EQ(next.resumed_context, control_id);

  // The fresh ticket is as bound to its control session as the first one.
  Handshake stolen = connect(new_session_id_context(), true, next_session, nullptr, GetParam());
  EXPECT_FALSE(stolen.reused);
  SSL_SESSION_free(first_session);
  SSL_SESSION_free(next_session);
}

INSTANTIATE_TEST_SUITE_P(Tls12And13, TlsVersions, ::testing::Values(TLS1_2_VERSION, TLS1_3_VERSION));

TEST(TlsContext, RefusesAKeyThatDoesNotMatch) {
  std::string pattern = (std::filesystem::temp_directory_path() / "tls-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  auto first = write_self_signed_certificate(pattern);
  ASSERT_TRUE(first.ok());
  std::filesystem::create_directory(pattern + "/second");
  auto second = write_self_signed_certificate(pattern + "/second");
  ASSERT_TRUE(second.ok());
  auto mixed = make_server_tls_context({first->certificate_chain_file, second->private_key_file});
  EXPECT_FALSE(mixed.ok());
  EXPECT_FALSE(make_server_tls_context({pattern + "/none.pem", pattern + "/none.pem"}).ok());
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace imagelib::net
