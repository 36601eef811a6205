// Driving a simulation's event loop from a caller that waits for one answer
// at a time (the sim target): run the loop until something holds or a
// virtual deadline passes, let virtual time pass, and the client's retry
// backoff. Single-threaded, like the loop. Callers: sim_target.cc,
// sim_ftp_client.cc.
#pragma once

#include <functional>

#include "reference/base/rng.h"
#include "simulator/event_loop.h"

namespace imagelib::conformance {

// Runs the loop's events until `done()` holds or no event is due by
// `deadline`; true when `done()` holds.
bool run_until(sim::EventLoop& loop, const std::function<bool()>& done, sim::SimTime deadline);

// Lets `duration` of virtual time pass, running every event due meanwhile.
void run_for(sim::EventLoop& loop, sim::SimTime duration);

// How long a client waits before its `attempt`-th retry (1, 2, ...):
// exponential from 50 ms, capped at 2 s, plus jitter drawn from `rng`.
sim::SimTime retry_delay(int attempt, Rng& rng);

}  // namespace imagelib::conformance
