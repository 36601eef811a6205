#include "simulator/fault_injector.h"

namespace imagelib::sim {

FaultInjector::FaultInjector(EventLoop& loop, Network& network, LibraryHost& library,
                             std::vector<HostId> clients, Rng rng)
    : loop_(loop), network_(network), library_(library), clients_(std::move(clients)), rng_(rng) {}

void FaultInjector::start() {
  running_ = true;
  ++generation_;
  loop_.schedule_after(network_.settings().fault_period, "fault tick",
                       [this, generation = generation_] {
                         if (generation == generation_) tick();
                       });
}

void FaultInjector::stop() {
  running_ = false;
  ++generation_;
  if (!library_.is_up()) library_.restart();
}

SimTime FaultInjector::draw_duration(SimTime mean) {
  return 1 + static_cast<SimTime>(rng_.exponential(static_cast<double>(mean)));
}

void FaultInjector::tick() {
  if (!running_) return;
  const FaultSettings& s = network_.settings();
  if (!clients_.empty() && rng_.chance(s.partition_chance)) {
    const HostId& client = clients_[rng_.uniform(clients_.size())];
    network_.partition(client, kLibraryHostName, loop_.now() + draw_duration(s.partition_mean));
  }
  if (rng_.chance(s.clog_chance)) {
    const std::uint64_t pick = rng_.uniform(clients_.size() + 1);
    const HostId host = pick == clients_.size() ? kLibraryHostName : clients_[pick];
    network_.clog(host, loop_.now() + draw_duration(s.clog_mean));
  }
  if (library_.is_up() && rng_.chance(s.crash_chance)) {
    library_.crash();
    loop_.schedule_after(s.restart_delay, "library host restart", [this, generation = generation_] {
      if (generation == generation_) library_.restart();
    });
  }
  loop_.schedule_after(s.fault_period, "fault tick", [this, generation = generation_] {
    if (generation == generation_) tick();
  });
}

}  // namespace imagelib::sim
