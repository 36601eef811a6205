#include "simulator/modelled_tls.h"

#include <gtest/gtest.h>

namespace imagelib::sim {
namespace {

// Passes each side's output to the other until both are quiet; returns the
// number of messages exchanged.
int handshake(ModelledTls& client, ModelledTls& server, Bytes first) {
  int messages = 0;
  Bytes to_server = std::move(first);
  Bytes to_client;
  while (!to_server.empty() || !to_client.empty()) {
    if (!to_server.empty()) {
      ++messages;
      to_client = server.on_bytes(to_server).to_send;
      to_server.clear();
    }
    if (!to_client.empty()) {
      ++messages;
      to_server = client.on_bytes(to_client).to_send;
      to_client.clear();
    }
  }
  return messages;
}

TEST(ModelledTlsTest, FullHandshakeTakesTwoRoundTripsAndIssuesASession) {
  TlsSessionCache cache;
  ModelledTls client(ModelledTls::Role::kClient), server(ModelledTls::Role::kServer);
  server.start_server(cache);
  EXPECT_EQ(handshake(client, server, client.start_client(std::nullopt).to_send), 4);
  EXPECT_EQ(client.state(), ModelledTls::State::kEstablished);
  EXPECT_EQ(server.state(), ModelledTls::State::kEstablished);
  EXPECT_EQ(client.session_id(), server.session_id());
  EXPECT_FALSE(server.resumed_from());
  EXPECT_TRUE(cache.knows(server.session_id()));
}

TEST(ModelledTlsTest, ResumingAKnownSessionTakesOneRoundTripAndNamesIt) {
  TlsSessionCache cache;
  const std::string control = cache.issue();
  ModelledTls client(ModelledTls::Role::kClient), server(ModelledTls::Role::kServer);
  server.start_server(cache);
  EXPECT_EQ(handshake(client, server, client.start_client(control).to_send), 2);
  EXPECT_EQ(server.resumed_from(), control);
  EXPECT_EQ(client.session_id(), control);
}

TEST(ModelledTlsTest, AnUnknownSessionFallsBackToAFullHandshake) {
  TlsSessionCache cache;
  ModelledTls client(ModelledTls::Role::kClient), server(ModelledTls::Role::kServer);
  server.start_server(cache);
  handshake(client, server, client.start_client("tls-99").to_send);
  EXPECT_FALSE(server.resumed_from());
  EXPECT_EQ(server.state(), ModelledTls::State::kEstablished);
}

TEST(ModelledTlsTest, BytesSplitAnywhereAndApplicationDataAfterTheHandshake) {
  TlsSessionCache cache;
  const std::string control = cache.issue();
  ModelledTls client(ModelledTls::Role::kClient), server(ModelledTls::Role::kServer);
  server.start_server(cache);
  Bytes hello = client.start_client(control).to_send;
  const std::string app = "LIST\r\n";
  hello.insert(hello.end(), app.begin(), app.end());
  Bytes application;
  for (std::uint8_t byte : hello) {
    auto out = server.on_bytes(ByteView(&byte, 1));
    application.insert(application.end(), out.application.begin(), out.application.end());
  }
  EXPECT_EQ(std::string(application.begin(), application.end()), app);
  EXPECT_EQ(server.resumed_from(), control);
}

TEST(ModelledTlsTest, PlainTextWhereAHandshakeIsExpectedFails) {
  TlsSessionCache cache;
  ModelledTls server(ModelledTls::Role::kServer);
  server.start_server(cache);
  const std::string plain = "USER acc-12345\r\n";
  auto out = server.on_bytes(ByteView(reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()));
  EXPECT_TRUE(out.failed_now);
  EXPECT_EQ(server.state(), ModelledTls::State::kFailed);
}

TEST(ModelledTlsTest, ACrashForgetsSessionsButNeverReusesAnId) {
  TlsSessionCache cache;
  const std::string first = cache.issue();
  cache.clear();
  EXPECT_FALSE(cache.knows(first));
  EXPECT_NE(cache.issue(), first);
}

}  // namespace
}  // namespace imagelib::sim
