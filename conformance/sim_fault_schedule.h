// SimFaultSchedule: a scenario's fault steps on the simulated network (the
// FaultInjection of SimTarget). A fault happens at once, or waits until the
// actor's connections of one link carried a number of bytes during the next
// step, and then happens as its own event right after that delivery:
// disconnect resets the connection that carried the last byte, partition
// cuts the actor's client host from the library host (for a while or until
// heal), restart_library crashes the library host and restarts it later.
// Nothing is drawn at random: the same steps give the same faults at the
// same events. Owned by SimTarget, which it tells when an actor's client
// must stop retrying. Single-threaded.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "conformance/fault_injection.h"
#include "simulator/event_loop.h"
#include "simulator/library_host.h"
#include "simulator/network.h"

namespace imagelib::conformance {

class SimFaultSchedule final : public FaultInjection {
 public:
  // Switches retries of one actor's client (role) on or off.
  using RetrySwitch = std::function<void(const std::string& role, bool retries)>;

  // `actor_hosts`: the client host of each actor role.
  SimFaultSchedule(sim::EventLoop& loop, sim::Network& network, sim::LibraryHost& library,
                   std::map<std::string, sim::HostId> actor_hosts, RetrySwitch retry_switch);
  ~SimFaultSchedule() override;
  SimFaultSchedule(const SimFaultSchedule&) = delete;
  SimFaultSchedule& operator=(const SimFaultSchedule&) = delete;

  Status inject(const FaultSpec& fault) override;
  std::vector<std::string> step_ended() override;

  std::uint64_t faults_fired() const { return fired_; }

 private:
  struct Armed {
    FaultSpec spec;
    sim::HostId host;
    std::uint64_t crossed = 0;  // bytes counted so far
    bool fired = false;
  };

  void on_delivery(sim::ConnectionId id, const sim::HostId& from, const sim::HostId& to, int port,
                   std::size_t bytes);
  void fire(const FaultSpec& fault, const sim::HostId& host, sim::ConnectionId connection);

  sim::EventLoop& loop_;
  sim::Network& network_;
  sim::LibraryHost& library_;
  std::map<std::string, sim::HostId> actor_hosts_;
  RetrySwitch retry_switch_;
  std::vector<Armed> armed_;
  std::vector<std::string> retries_off_;  // roles whose client does not retry this step
  std::uint64_t fired_ = 0;
};

}  // namespace imagelib::conformance
