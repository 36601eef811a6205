// Network: simulated hosts joined by byte-stream connections, in the manner
// of FoundationDB's Sim2Conn. Each direction of a connection is a pipe with
// latency (minimum + exponential, rarely a long tail), bandwidth, a bounded
// send buffer (back-pressure: send() may accept fewer bytes than offered),
// short writes, deliveries split at random points (short reads), random
// resets, partitions between two hosts and clogged hosts (delivery stalls
// until a time), and host crashes. Bytes of one direction always arrive in
// order. Every delivery is one EventLoop event and one "I/O step"; a reset
// can be injected at the Nth step ("fail at operation N").
// Single-threaded, driven by the EventLoop; hosts are told what happens
// through HostHandler.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "reference/base/bytes.h"
#include "reference/base/rng.h"
#include "simulator/event_loop.h"
#include "simulator/fault_settings.h"

namespace imagelib::sim {

using HostId = std::string;
using ConnectionId = std::uint64_t;

enum class CloseKind {
  kPeerClosed,  // orderly: the peer closed after its last byte (EOF)
  kReset,       // aborted: in-flight bytes are lost
  kRefused,     // connect() failed: nobody listening, host down or partitioned
};
std::string_view to_string(CloseKind kind);

class HostHandler {
 public:
  virtual ~HostHandler() = default;
  // A peer connected to `port`, on which this host listens.
  virtual void on_accept(ConnectionId id, int port) = 0;
  // A connect() of this host succeeded.
  virtual void on_connected(ConnectionId id) = 0;
  virtual void on_data(ConnectionId id, ByteView data) = 0;
  // The send buffer has room again after send() accepted less than offered.
  virtual void on_writable(ConnectionId id) = 0;
  // No more events come for `id` after this, except kPeerClosed, after which
  // this host may still send until it closes its own side.
  virtual void on_closed(ConnectionId id, CloseKind kind) = 0;
};

struct NetworkStats {
  std::uint64_t connects = 0;
  std::uint64_t refused = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t bytes = 0;
  std::uint64_t short_writes = 0;
  std::uint64_t backpressure = 0;  // send() limited by a full send buffer
  std::uint64_t splits = 0;
  std::uint64_t tail_latencies = 0;
  std::uint64_t resets = 0;        // by the fault model or an injected step, not by a host
  std::uint64_t partitions = 0;
  std::uint64_t clogs = 0;
  std::uint64_t stalls = 0;        // deliveries held back by a partition or a clog
};

class Network {
 public:
  Network(EventLoop& loop, const Rng& rng, FaultSettings settings);

  void add_host(const HostId& host, HostHandler& handler);
  void listen(const HostId& host, int port);
  void stop_listening(const HostId& host, int port);

  // Starts a connection; the outcome arrives as on_connected or on_closed(kRefused).
  ConnectionId connect(const HostId& from, const HostId& to, int port);
  // Queues up to data.size() bytes from `from`; returns how many were
  // accepted (0 on a closed connection). After a partial accept `from` gets
  // on_writable once there is room.
  std::size_t send(ConnectionId id, const HostId& from, ByteView data);
  // Orderly close of `from`'s direction: the peer sees EOF after the last byte.
  void close(ConnectionId id, const HostId& from);
  // Abort: the peer sees kReset; `by` gets no event.
  void reset(ConnectionId id, const HostId& by);
  bool is_open(ConnectionId id) const { return connections_.count(id) != 0; }
  // The host at the other end of `id` from `self` (empty if `id` is gone).
  HostId peer_of(ConnectionId id, const HostId& self) const;

  // --- faults ---
  // When off, no random fault happens (latency, bandwidth and buffers stay).
  void set_faults_enabled(bool enabled) { faults_enabled_ = enabled; }
  bool faults_enabled() const { return faults_enabled_; }
  void partition(const HostId& a, const HostId& b, SimTime until);
  void clog(const HostId& host, SimTime until);
  // Ends every partition and clog now.
  void heal();
  // The host goes down: its listeners go, its connections vanish (peers see
  // kReset), and it gets no event until restart().
  void crash(const HostId& host);
  void restart(const HostId& host);
  bool is_up(const HostId& host) const;
  // Aborts `id` as a network fault does: both ends see kReset.
  void fault_reset(ConnectionId id, std::string_view why);
  // Told of every delivery of data bytes, after the reader had them (fault
  // schedules that wait for a transfer's progress watch with it). `port` is
  // the one `to` or `from` listens on. One watcher at a time; empty: none.
  using DeliveryWatcher = std::function<void(ConnectionId id, const HostId& from, const HostId& to,
                                             int port, std::size_t bytes)>;
  void watch_deliveries(DeliveryWatcher watcher) { delivery_watcher_ = std::move(watcher); }
  // The delivery that is the `step`-th I/O step (1-based) resets its connection instead.
  void inject_reset_at_io_step(std::uint64_t step) { injected_reset_step_ = step; }
  std::uint64_t io_steps() const { return io_steps_; }
  bool injected_reset_happened() const { return injected_reset_happened_; }

  const NetworkStats& stats() const { return stats_; }
  const FaultSettings& settings() const { return settings_; }

 private:
  struct Segment {
    Bytes data;
    bool fin = false;
    SimTime arrival = 0;
  };
  // One direction of a connection: bytes from ends[i] to ends[1 - i].
  struct Pipe {
    std::deque<Segment> in_flight;
    std::uint64_t buffered = 0;  // bytes sent but not yet delivered
    SimTime link_free = 0;       // when the last queued byte has left (bandwidth)
    SimTime last_arrival = 0;    // arrivals of one pipe never overtake
    bool writer_waiting = false;
    bool closed = false;         // FIN queued
    // One "pump" event per pipe delivers the head segment; a newer
    // generation makes an older scheduled pump a no-op (after heal()).
    bool pump_scheduled = false;
    bool stalled = false;
    std::uint64_t pump_generation = 0;
  };
  struct Connection {
    HostId ends[2];  // [0] connected to [1]
    int port = 0;
    bool established = false;
    Pipe pipes[2];
    bool eof_delivered[2] = {false, false};  // pipes[i]'s FIN reached ends[1 - i]
  };
  struct Host {
    HostHandler* handler = nullptr;
    bool up = true;
    std::set<int> listening;
  };

  int side_of(const Connection& c, const HostId& host) const;
  SimTime one_way_latency();
  void queue_segment(ConnectionId id, int side, Segment segment);
  void schedule_pump(ConnectionId id, int side, SimTime at);
  void pump(ConnectionId id, int side, std::uint64_t generation);
  bool partitioned(const HostId& a, const HostId& b) const;
  // When delivery between the two hosts is held back, until when.
  std::optional<SimTime> blocked_until(const HostId& a, const HostId& b) const;
  // Aborts: `notify_first`/`notify_second` say whether ends[0]/ends[1] get
  // on_closed(kReset); `is_fault` counts it in stats().resets.
  void abort(ConnectionId id, bool notify_first, bool notify_second, std::string_view why,
             bool is_fault);
  void notify_closed(const HostId& host, ConnectionId id, CloseKind kind, SimTime delay);
  std::string describe(ConnectionId id, int side) const;
  static std::pair<HostId, HostId> ordered(const HostId& a, const HostId& b);

  EventLoop& loop_;
  FaultSettings settings_;
  Rng latency_rng_;
  Rng io_rng_;
  Rng reset_rng_;
  bool faults_enabled_ = false;
  std::map<HostId, Host> hosts_;
  std::map<ConnectionId, Connection> connections_;
  ConnectionId next_connection_ = 1;
  std::map<std::pair<HostId, HostId>, SimTime> partitions_;
  std::map<HostId, SimTime> clogs_;
  std::uint64_t io_steps_ = 0;
  std::optional<std::uint64_t> injected_reset_step_;
  bool injected_reset_happened_ = false;
  DeliveryWatcher delivery_watcher_;
  NetworkStats stats_;
};

}  // namespace imagelib::sim
