#include "simulator/network.h"

#include <algorithm>
#include <vector>

namespace imagelib::sim {
namespace {

// Bytes per segment before any random split: a TLS record's worth.
constexpr std::size_t kMaxSegment = 16 * 1024;

}  // namespace

std::string_view to_string(CloseKind kind) {
  switch (kind) {
    case CloseKind::kPeerClosed: return "eof";
    case CloseKind::kReset: return "reset";
    case CloseKind::kRefused: return "refused";
  }
  return "reset";
}

Network::Network(EventLoop& loop, const Rng& rng, FaultSettings settings)
    : loop_(loop),
      settings_(settings),
      latency_rng_(rng.stream("latency")),
      io_rng_(rng.stream("short-io")),
      reset_rng_(rng.stream("resets")) {}

void Network::add_host(const HostId& host, HostHandler& handler) { hosts_[host].handler = &handler; }

void Network::listen(const HostId& host, int port) { hosts_[host].listening.insert(port); }

void Network::stop_listening(const HostId& host, int port) { hosts_[host].listening.erase(port); }

bool Network::is_up(const HostId& host) const {
  auto it = hosts_.find(host);
  return it != hosts_.end() && it->second.up;
}

std::pair<HostId, HostId> Network::ordered(const HostId& a, const HostId& b) {
  return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
}

int Network::side_of(const Connection& c, const HostId& host) const {
  if (c.ends[0] == host) return 0;
  if (c.ends[1] == host) return 1;
  return -1;
}

HostId Network::peer_of(ConnectionId id, const HostId& self) const {
  auto it = connections_.find(id);
  if (it == connections_.end()) return {};
  return it->second.ends[0] == self ? it->second.ends[1] : it->second.ends[0];
}

SimTime Network::one_way_latency() {
  SimTime latency =
      settings_.latency_min + static_cast<SimTime>(latency_rng_.exponential(settings_.latency_mean));
  if (faults_enabled_ && latency_rng_.chance(settings_.latency_tail_chance)) {
    ++stats_.tail_latencies;
    latency += settings_.latency_tail;
  }
  return latency;
}

std::string Network::describe(ConnectionId id, int side) const {
  const Connection& c = connections_.at(id);
  return "c" + std::to_string(id) + " " + c.ends[side] + ">" + c.ends[1 - side];
}

ConnectionId Network::connect(const HostId& from, const HostId& to, int port) {
  const ConnectionId id = next_connection_++;
  Connection& c = connections_[id];
  c.ends[0] = from;
  c.ends[1] = to;
  c.port = port;
  ++stats_.connects;
  const SimTime syn_latency = one_way_latency();
  loop_.schedule_after(syn_latency, "c" + std::to_string(id) + " syn " + from + ">" + to + ":" +
                                        std::to_string(port),
                       [this, id, from, to, port] {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;
    ++io_steps_;
    const bool injected = injected_reset_step_ && *injected_reset_step_ == io_steps_;
    auto host = hosts_.find(to);
    const bool reachable = host != hosts_.end() && host->second.up &&
                           host->second.listening.count(port) != 0 &&
                           !partitioned(from, to);
    if (injected || !reachable) {
      if (injected) injected_reset_happened_ = true;
      ++stats_.refused;
      connections_.erase(it);
      notify_closed(from, id, CloseKind::kRefused, one_way_latency());
      return;
    }
    Connection& conn = it->second;
    conn.established = true;
    const SimTime syn_ack = loop_.now() + one_way_latency();
    // Bytes the acceptor sends at once must not arrive before the SYN-ACK.
    conn.pipes[1].last_arrival = syn_ack;
    loop_.schedule_at(syn_ack, "c" + std::to_string(id) + " syn-ack", [this, id, from] {
      if (!connections_.count(id) || !is_up(from)) return;
      hosts_[from].handler->on_connected(id);
    });
    host->second.handler->on_accept(id, port);
  });
  return id;
}

std::size_t Network::send(ConnectionId id, const HostId& from, ByteView data) {
  auto it = connections_.find(id);
  if (it == connections_.end() || data.empty()) return 0;
  Connection& c = it->second;
  const int side = side_of(c, from);
  if (side < 0 || !c.established) return 0;
  Pipe& pipe = c.pipes[side];
  if (pipe.closed) return 0;
  const std::uint64_t room =
      pipe.buffered >= settings_.send_buffer ? 0 : settings_.send_buffer - pipe.buffered;
  std::size_t accepted = static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), room));
  if (accepted < data.size()) ++stats_.backpressure;
  if (faults_enabled_ && accepted > 1 && io_rng_.chance(settings_.short_write_chance)) {
    ++stats_.short_writes;
    accepted = static_cast<std::size_t>(
        io_rng_.uniform_between(1, static_cast<std::int64_t>(accepted) - 1));
  }
  if (accepted < data.size()) pipe.writer_waiting = true;
  if (accepted == 0) return 0;

  std::size_t offset = 0;
  while (offset < accepted) {
    std::size_t piece = std::min(kMaxSegment, accepted - offset);
    if (faults_enabled_ && piece > 1 && io_rng_.chance(settings_.split_chance)) {
      ++stats_.splits;
      piece = static_cast<std::size_t>(
          io_rng_.uniform_between(1, static_cast<std::int64_t>(piece) - 1));
    }
    const auto first = data.begin() + static_cast<std::ptrdiff_t>(offset);
    queue_segment(id, side, Segment{Bytes(first, first + static_cast<std::ptrdiff_t>(piece))});
    offset += piece;
  }
  return accepted;
}

void Network::queue_segment(ConnectionId id, int side, Segment segment) {
  Pipe& pipe = connections_.at(id).pipes[side];
  const SimTime start = std::max(loop_.now(), pipe.link_free);
  const auto transmit = static_cast<SimTime>(segment.data.size() * 1'000'000 / settings_.bandwidth);
  pipe.link_free = start + transmit;
  segment.arrival = std::max(pipe.link_free + one_way_latency(), pipe.last_arrival);
  pipe.last_arrival = segment.arrival;
  pipe.buffered += segment.data.size();
  const SimTime arrival = segment.arrival;
  pipe.in_flight.push_back(std::move(segment));
  if (!pipe.pump_scheduled) schedule_pump(id, side, arrival);
}

void Network::schedule_pump(ConnectionId id, int side, SimTime at) {
  Pipe& pipe = connections_.at(id).pipes[side];
  pipe.pump_scheduled = true;
  const std::uint64_t generation = ++pipe.pump_generation;
  const Segment& head = pipe.in_flight.front();
  std::string label = describe(id, side) + (head.fin ? " fin" : " " + std::to_string(head.data.size()) + "B");
  loop_.schedule_at(at, std::move(label), [this, id, side, generation] { pump(id, side, generation); });
}

void Network::pump(ConnectionId id, int side, std::uint64_t generation) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  Pipe& pipe = c.pipes[side];
  if (pipe.pump_generation != generation || pipe.in_flight.empty()) return;
  pipe.pump_scheduled = false;
  if (auto until = blocked_until(c.ends[0], c.ends[1])) {
    ++stats_.stalls;
    pipe.stalled = true;
    schedule_pump(id, side, *until);
    return;
  }
  pipe.stalled = false;
  ++io_steps_;
  if (injected_reset_step_ && *injected_reset_step_ == io_steps_) {
    injected_reset_happened_ = true;
    abort(id, true, true, "injected reset at I/O step " + std::to_string(io_steps_), true);
    return;
  }
  if (faults_enabled_ && reset_rng_.chance(settings_.reset_chance)) {
    abort(id, true, true, "random reset", true);
    return;
  }
  Segment segment = std::move(pipe.in_flight.front());
  pipe.in_flight.pop_front();
  pipe.buffered -= segment.data.size();
  if (!pipe.in_flight.empty()) {
    schedule_pump(id, side, std::max(loop_.now(), pipe.in_flight.front().arrival));
  }
  const HostId writer = c.ends[side];
  const HostId reader = c.ends[1 - side];
  const bool wake_writer = pipe.writer_waiting && pipe.buffered < settings_.send_buffer;
  if (wake_writer) pipe.writer_waiting = false;
  ++stats_.deliveries;
  if (segment.fin) {
    c.eof_delivered[side] = true;
    if (c.eof_delivered[1 - side]) connections_.erase(it);
    hosts_[reader].handler->on_closed(id, CloseKind::kPeerClosed);
    return;
  }
  stats_.bytes += segment.data.size();
  const int port = c.port;
  hosts_[reader].handler->on_data(id, segment.data);
  if (delivery_watcher_) delivery_watcher_(id, writer, reader, port, segment.data.size());
  if (wake_writer && connections_.count(id) && is_up(writer)) hosts_[writer].handler->on_writable(id);
}

void Network::close(ConnectionId id, const HostId& from) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = it->second;
  const int side = side_of(c, from);
  if (side < 0) return;
  if (!c.established) {
    abort(id, false, false, "closed before established", false);
    return;
  }
  Pipe& pipe = c.pipes[side];
  if (pipe.closed) return;
  pipe.closed = true;
  queue_segment(id, side, Segment{Bytes{}, true});
}

void Network::reset(ConnectionId id, const HostId& by) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  const int side = side_of(it->second, by);
  abort(id, side != 0, side != 1, "reset by " + by, false);
}

void Network::fault_reset(ConnectionId id, std::string_view why) {
  abort(id, true, true, why, true);
}

void Network::abort(ConnectionId id, bool notify_first, bool notify_second, std::string_view why,
                    bool is_fault) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  const HostId first = it->second.ends[0];
  const HostId second = it->second.ends[1];
  const bool was_established = it->second.established;
  connections_.erase(it);
  if (is_fault) ++stats_.resets;
  loop_.note("c" + std::to_string(id) + " aborted: " + std::string(why));
  if (notify_first) notify_closed(first, id, CloseKind::kReset, one_way_latency());
  if (notify_second && was_established) notify_closed(second, id, CloseKind::kReset, one_way_latency());
}

void Network::notify_closed(const HostId& host, ConnectionId id, CloseKind kind, SimTime delay) {
  loop_.schedule_after(delay, "c" + std::to_string(id) + " " + std::string(to_string(kind)) + " to " + host,
                       [this, host, id, kind] {
                         if (is_up(host)) hosts_[host].handler->on_closed(id, kind);
                       });
}

bool Network::partitioned(const HostId& a, const HostId& b) const {
  auto p = partitions_.find(ordered(a, b));
  return p != partitions_.end() && p->second > loop_.now();
}

std::optional<SimTime> Network::blocked_until(const HostId& a, const HostId& b) const {
  std::optional<SimTime> until;
  auto later = [&](SimTime t) {
    if (t > loop_.now() && (!until || t > *until)) until = t;
  };
  if (auto p = partitions_.find(ordered(a, b)); p != partitions_.end()) later(p->second);
  if (auto ca = clogs_.find(a); ca != clogs_.end()) later(ca->second);
  if (auto cb = clogs_.find(b); cb != clogs_.end()) later(cb->second);
  return until;
}

void Network::partition(const HostId& a, const HostId& b, SimTime until) {
  SimTime& end = partitions_[ordered(a, b)];
  end = std::max(end, until);
  ++stats_.partitions;
  loop_.note("partition " + a + " | " + b + " until " + std::to_string(end));
  std::vector<ConnectionId> across;
  for (const auto& [id, c] : connections_) {
    if (ordered(c.ends[0], c.ends[1]) == ordered(a, b)) across.push_back(id);
  }
  for (ConnectionId id : across) {
    if (reset_rng_.chance(settings_.partition_reset_chance)) abort(id, true, true, "partition timeout", true);
  }
  // Partitions end by themselves: forget this one when it is over.
  loop_.schedule_at(end, "partition " + a + " | " + b + " heals", [this, key = ordered(a, b)] {
    auto p = partitions_.find(key);
    if (p != partitions_.end() && p->second <= loop_.now()) partitions_.erase(p);
  });
}

void Network::clog(const HostId& host, SimTime until) {
  SimTime& end = clogs_[host];
  end = std::max(end, until);
  ++stats_.clogs;
  loop_.note("clog " + host + " until " + std::to_string(end));
}

void Network::heal() {
  partitions_.clear();
  clogs_.clear();
  for (auto& [id, c] : connections_) {
    for (int side = 0; side < 2; ++side) {
      if (c.pipes[side].stalled && !c.pipes[side].in_flight.empty()) {
        c.pipes[side].stalled = false;
        schedule_pump(id, side, loop_.now());
      }
    }
  }
}

void Network::crash(const HostId& host) {
  Host& h = hosts_[host];
  h.up = false;
  h.listening.clear();
  std::vector<ConnectionId> gone;
  for (const auto& [id, c] : connections_) {
    if (c.ends[0] == host || c.ends[1] == host) gone.push_back(id);
  }
  for (ConnectionId id : gone) {
    const bool first_is_host = connections_.at(id).ends[0] == host;
    abort(id, !first_is_host, first_is_host, "host " + host + " crashed", false);
  }
}

void Network::restart(const HostId& host) { hosts_[host].up = true; }

}  // namespace imagelib::sim
