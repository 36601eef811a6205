#include "simulator/network.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace imagelib::sim {
namespace {

const Timestamp kEpoch = Timestamp::from_unix_seconds(1305806400);

// A host that records what the network tells it and writes what it is given.
class RecordingHost : public HostHandler {
 public:
  RecordingHost(Network& network, HostId name) : network_(network), name_(std::move(name)) {
    network_.add_host(name_, *this);
  }
  void on_accept(ConnectionId id, int port) override {
    accepted.push_back(id);
    last_port = port;
  }
  void on_connected(ConnectionId id) override { connected.push_back(id); }
  void on_data(ConnectionId id, ByteView data) override {
    received[id].append(data.begin(), data.end());
    ++pieces;
  }
  void on_writable(ConnectionId id) override {
    ++writable;
    flush(id);
  }
  void on_closed(ConnectionId id, CloseKind kind) override { closed[id] = kind; }

  // Sends `text`, keeping what the network does not accept for on_writable.
  void write(ConnectionId id, const std::string& text) {
    pending[id] += text;
    flush(id);
  }
  void flush(ConnectionId id) {
    std::string& out = pending[id];
    const std::size_t n = network_.send(
        id, name_, ByteView(reinterpret_cast<const std::uint8_t*>(out.data()), out.size()));
    out.erase(0, n);
  }

  std::vector<ConnectionId> accepted;
  std::vector<ConnectionId> connected;
  std::map<ConnectionId, std::string> received;
  std::map<ConnectionId, std::string> pending;
  std::map<ConnectionId, CloseKind> closed;
  int last_port = 0;
  int pieces = 0;
  int writable = 0;

 private:
  Network& network_;
  HostId name_;
};

struct World {
  explicit World(FaultSettings settings, std::uint64_t seed = 7)
      : loop(kEpoch, false), network(loop, Rng(seed), settings), server(network, "server"),
        client(network, "client") {
    network.listen("server", 21);
  }
  void run() {
    while (loop.step()) {
    }
  }
  void run_until(SimTime t) {
    while (loop.next_event_time() && *loop.next_event_time() <= t) loop.step();
  }
  EventLoop loop;
  Network network;
  RecordingHost server;
  RecordingHost client;
};

std::string pattern(std::size_t size) {
  std::string text(size, ' ');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + i % 23);
  return text;
}

TEST(NetworkTest, ConnectThenBytesArriveWholeAndInOrder) {
  World w(FaultSettings{});
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  ASSERT_EQ(w.server.accepted, std::vector<ConnectionId>{id});
  ASSERT_EQ(w.client.connected, std::vector<ConnectionId>{id});
  EXPECT_EQ(w.server.last_port, 21);
  const std::string text = pattern(100'000);
  w.client.write(id, text);
  w.server.write(id, "220 hello\r\n");
  w.run();
  EXPECT_EQ(w.server.received[id], text);
  EXPECT_EQ(w.client.received[id], "220 hello\r\n");
}

TEST(NetworkTest, ShortWritesAndSplitsStillDeliverEveryByteInOrder) {
  FaultSettings s;
  s.short_write_chance = 0.9;
  s.split_chance = 0.9;
  World w(s);
  w.network.set_faults_enabled(true);
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  const std::string text = pattern(300'000);
  w.client.write(id, text);
  w.run();
  EXPECT_EQ(w.server.received[id], text);
  EXPECT_GT(w.network.stats().short_writes, 0u);
  EXPECT_GT(w.network.stats().splits, 0u);
  EXPECT_GT(w.server.pieces, 300'000 / 16'384);
}

TEST(NetworkTest, FullSendBufferAcceptsLessAndWakesTheWriterLater) {
  FaultSettings s;
  s.send_buffer = 4096;
  World w(s);
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  const std::string text = pattern(20'000);
  const std::size_t accepted = w.network.send(
      id, "client", ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  EXPECT_EQ(accepted, 4096u);
  EXPECT_GT(w.network.stats().backpressure, 0u);
  w.client.pending[id] = text.substr(accepted);
  w.run();
  EXPECT_EQ(w.server.received[id], text);
  EXPECT_GT(w.client.writable, 0);
}

TEST(NetworkTest, CloseDeliversEofAfterTheLastByte) {
  World w(FaultSettings{});
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  w.client.write(id, "last words");
  w.network.close(id, "client");
  w.run();
  EXPECT_EQ(w.server.received[id], "last words");
  EXPECT_EQ(w.server.closed.at(id), CloseKind::kPeerClosed);
  EXPECT_TRUE(w.network.is_open(id));  // the server's direction is still open
  w.network.close(id, "server");
  w.run();
  EXPECT_FALSE(w.network.is_open(id));
}

TEST(NetworkTest, NobodyListeningIsRefused) {
  World w(FaultSettings{});
  const ConnectionId id = w.network.connect("client", "server", 2121);
  w.run();
  EXPECT_EQ(w.client.closed.at(id), CloseKind::kRefused);
  EXPECT_TRUE(w.server.accepted.empty());
}

TEST(NetworkTest, PartitionRefusesConnectsAndStallsDataUntilItHeals) {
  World w(FaultSettings{});
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  w.network.partition("client", "server", 2 * kSecond);
  const ConnectionId refused = w.network.connect("client", "server", 21);
  w.client.write(id, "held");
  w.run_until(kSecond);
  EXPECT_EQ(w.client.closed.at(refused), CloseKind::kRefused);
  EXPECT_EQ(w.server.received[id], "");
  w.run();
  EXPECT_EQ(w.server.received[id], "held");
  EXPECT_GE(w.loop.now(), 2 * kSecond);
  EXPECT_GT(w.network.stats().stalls, 0u);
}

TEST(NetworkTest, HealReleasesAClogAtOnce) {
  World w(FaultSettings{});
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  w.network.clog("server", 100 * kSecond);
  w.client.write(id, "stuck");
  w.run_until(kSecond);
  EXPECT_EQ(w.server.received[id], "");
  w.network.heal();
  w.run_until(2 * kSecond);
  EXPECT_EQ(w.server.received[id], "stuck");
}

TEST(NetworkTest, CrashResetsPeersAndRefusesUntilRestartAndListen) {
  World w(FaultSettings{});
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  w.network.crash("server");
  w.run();
  EXPECT_EQ(w.client.closed.at(id), CloseKind::kReset);
  EXPECT_FALSE(w.server.closed.count(id));
  const ConnectionId during = w.network.connect("client", "server", 21);
  w.run();
  EXPECT_EQ(w.client.closed.at(during), CloseKind::kRefused);
  w.network.restart("server");
  w.network.listen("server", 21);
  const ConnectionId after = w.network.connect("client", "server", 21);
  w.run();
  EXPECT_EQ(w.client.connected.back(), after);
}

TEST(NetworkTest, InjectedResetHitsExactlyTheNthIoStep) {
  World w(FaultSettings{});
  w.network.inject_reset_at_io_step(3);  // 1: syn, 2: "a", 3: "b"
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  w.client.write(id, "a");
  w.run();
  EXPECT_FALSE(w.network.injected_reset_happened());
  w.client.write(id, "b");
  w.run();
  EXPECT_TRUE(w.network.injected_reset_happened());
  EXPECT_EQ(w.server.received[id], "a");
  EXPECT_EQ(w.server.closed.at(id), CloseKind::kReset);
  EXPECT_EQ(w.client.closed.at(id), CloseKind::kReset);
}

TEST(NetworkTest, TheDeliveryWatcherSeesEachDeliveryAfterTheReader) {
  World w(FaultSettings{});
  std::vector<std::string> seen;
  w.network.watch_deliveries([&](ConnectionId id, const HostId& from, const HostId& to, int port,
                                 std::size_t bytes) {
    seen.push_back(from + ">" + to + ":" + std::to_string(port) + " " + std::to_string(bytes) +
                   " after " + std::to_string(w.server.received[id].size() + w.client.received[id].size()));
  });
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  w.client.write(id, "hello");
  w.run();
  w.server.write(id, "hi");
  w.run();
  EXPECT_EQ(seen, (std::vector<std::string>{"client>server:21 5 after 5", "server>client:21 2 after 7"}));
}

TEST(NetworkTest, AFaultResetTellsBothEnds) {
  World w(FaultSettings{});
  const ConnectionId id = w.network.connect("client", "server", 21);
  w.run();
  w.client.write(id, "lost");
  w.network.fault_reset(id, "test");
  w.run();
  EXPECT_EQ(w.server.received[id], "");
  EXPECT_EQ(w.server.closed.at(id), CloseKind::kReset);
  EXPECT_EQ(w.client.closed.at(id), CloseKind::kReset);
  EXPECT_EQ(w.network.stats().resets, 1u);
  EXPECT_FALSE(w.network.is_open(id));
}

TEST(NetworkTest, RandomResetsHappenOnlyWithFaultsOn) {
  FaultSettings s;
  s.reset_chance = 1.0;
  World quiet(s);
  const ConnectionId id = quiet.network.connect("client", "server", 21);
  quiet.run();
  quiet.client.write(id, "x");
  quiet.run();
  EXPECT_EQ(quiet.server.received[id], "x");
  World noisy(s);
  noisy.network.set_faults_enabled(true);
  const ConnectionId other = noisy.network.connect("client", "server", 21);
  noisy.run();
  noisy.client.write(other, "x");
  noisy.run();
  EXPECT_EQ(noisy.server.closed.at(other), CloseKind::kReset);
  EXPECT_EQ(noisy.network.stats().resets, 1u);
}

TEST(NetworkTest, SameSeedSameTraceOtherSeedOtherTrace) {
  auto run = [](std::uint64_t seed) {
    FaultSettings s;
    s.split_chance = 0.5;
    World w(s, seed);
    w.network.set_faults_enabled(true);
    const ConnectionId id = w.network.connect("client", "server", 21);
    w.run();
    w.client.write(id, pattern(50'000));
    w.run();
    return w.loop.trace().hash();
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

}  // namespace
}  // namespace imagelib::sim
