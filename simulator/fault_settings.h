// FaultSettings: the knobs of the simulated network for one run, chosen from
// the seed within a named profile (TigerBeetle VOPR "swarm" style), so that
// different seeds explore different fault mixes. Printed at the start of a
// run so that a failing seed can be read before it is replayed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reference/base/rng.h"
#include "simulator/event_loop.h"

namespace imagelib::sim {

enum class FaultProfile { kNone, kFlaky, kHostile };

std::optional<FaultProfile> parse_fault_profile(std::string_view name);
std::string_view to_string(FaultProfile profile);

struct FaultSettings {
  FaultProfile profile = FaultProfile::kNone;
  // One-way latency: a minimum plus an exponential part; rarely a long tail.
  SimTime latency_min = 200;
  double latency_mean = 300.0;  // of the exponential part, microseconds
  double latency_tail_chance = 0.0;
  SimTime latency_tail = 0;
  std::uint64_t bandwidth = 100 * 1024 * 1024;  // bytes per virtual second, per direction
  std::uint64_t send_buffer = 256 * 1024;       // bytes in flight per direction
  double short_write_chance = 0.0;  // a write accepts only a random prefix
  double split_chance = 0.0;        // delivered bytes arrive in random pieces
  double reset_chance = 0.0;        // per delivered piece: the connection is reset
  // Considered every `fault_period` while faults are on.
  SimTime fault_period = 50 * kMillisecond;
  double partition_chance = 0.0;    // a client host is cut from the library host
  double partition_reset_chance = 0.0;  // a connection across a new partition is reset
  SimTime partition_mean = 0;       // how long a partition lasts, on average
  double clog_chance = 0.0;         // one host's links stall
  SimTime clog_mean = 0;
  double crash_chance = 0.0;        // the library host crashes
  SimTime restart_delay = 0;        // ... and restarts after this long

  // "profile=flaky latency=200us+exp(300us) ..." on one line.
  std::string describe() const;
};

// Draws the settings of `profile` from `rng` (the run's "faults" stream).
FaultSettings choose_fault_settings(FaultProfile profile, Rng& rng);

}  // namespace imagelib::sim
