#include "conformance/sim_clock.h"

#include <algorithm>

namespace imagelib::conformance {

bool run_until(sim::EventLoop& loop, const std::function<bool()>& done, sim::SimTime deadline) {
  while (!done()) {
    const auto next = loop.next_event_time();
    if (!next || *next > deadline) return false;
    loop.step();
  }
  return true;
}

void run_for(sim::EventLoop& loop, sim::SimTime duration) {
  const sim::SimTime until = loop.now() + std::max<sim::SimTime>(duration, 0);
  bool woke = false;
  loop.schedule_at(until, "client waits until " + std::to_string(until), [&woke] { woke = true; });
  run_until(
      loop, [&woke] { return woke; }, until);
}

sim::SimTime retry_delay(int attempt, Rng& rng) {
  const int doublings = std::clamp(attempt - 1, 0, 6);
  const sim::SimTime base =
      std::min<sim::SimTime>(2 * sim::kSecond, (50 * sim::kMillisecond) << doublings);
  return base + rng.uniform_between(0, base);
}

}  // namespace imagelib::conformance
