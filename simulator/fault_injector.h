// FaultInjector: the scheduled faults of the safety phase. Every
// `fault_period` of virtual time it may partition a client host from the
// library host, clog a host, or crash the library host (which restarts
// after `restart_delay`), each with the chance the FaultSettings give,
// drawn from its own Rng stream. stop() ends the schedule (the liveness
// phase); a crashed library host is restarted at once.
// Single-threaded; owned by the Simulation.
#pragma once

#include <string>
#include <vector>

#include "reference/base/rng.h"
#include "simulator/library_host.h"
#include "simulator/network.h"

namespace imagelib::sim {

class FaultInjector {
 public:
  FaultInjector(EventLoop& loop, Network& network, LibraryHost& library,
                std::vector<HostId> clients, Rng rng);

  void start();
  void stop();

 private:
  void tick();
  SimTime draw_duration(SimTime mean);

  EventLoop& loop_;
  Network& network_;
  LibraryHost& library_;
  std::vector<HostId> clients_;
  Rng rng_;
  bool running_ = false;
  std::uint64_t generation_ = 0;  // ticks of an earlier start() do nothing
};

}  // namespace imagelib::sim
