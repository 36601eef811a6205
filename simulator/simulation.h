// Simulation: one seeded run of the workload on the simulated network
// (VOPR style). The seed decides the fault settings (within the profile),
// the workload's disks and extra operations, and every latency, split and
// fault. Two phases: safety (faults on for `fault_phase` of virtual time,
// the invariants checked after every event), then liveness (network healed,
// faults off: every journey must end within `liveness_bound`). The result
// carries the trace hash: the same options give the same hash.
// Callers: tools/sim_command.cc, tests, bench/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "simulator/event_loop.h"
#include "simulator/fault_settings.h"
#include "simulator/network.h"

namespace imagelib::sim {

struct SimulationOptions {
  std::uint64_t seed = 1;
  FaultProfile profile = FaultProfile::kFlaky;
  // Replaces the settings the seed would choose (tests of one fault kind).
  std::optional<FaultSettings> settings;
  bool keep_trace_lines = false;
  SimTime fault_phase = 60 * kSecond;
  SimTime liveness_bound = 600 * kSecond;
  int accounts = 2;
  // Extra operations per account: drawn in [min, max] from the seed.
  int min_extra_operations = 2;
  int max_extra_operations = 5;
  // Resets the connection of the Nth I/O step ("fail at operation N").
  std::optional<std::uint64_t> inject_reset_at_io_step;
};

struct SimulationResult {
  std::uint64_t seed = 0;
  FaultSettings settings;
  std::uint64_t trace_hash = 0;
  std::uint64_t events = 0;
  SimTime safety_end = 0;  // when the safety phase ended
  SimTime end = 0;         // when the run ended
  NetworkStats network;
  std::uint64_t crashes = 0;
  std::uint64_t invariant_checks = 0;
  std::uint64_t committed_images = 0;
  int journeys_completed = 0;
  int journeys = 0;
  std::uint64_t operations = 0;
  std::uint64_t retries = 0;
  std::uint64_t io_steps = 0;
  bool injected_reset_happened = false;
  // The first broken invariant or SPEC answer, or the journeys that did not end.
  std::optional<std::string> violation;
  std::vector<std::string> trace_lines;  // when keep_trace_lines
  std::string library_state;             // Library::dump_state() at the end

  bool ok() const { return !violation; }
  // Several lines: settings, counts, the verdict, "trace hash: <16 hex>".
  std::string summary() const;
};

SimulationResult run_simulation(const SimulationOptions& options);

}  // namespace imagelib::sim
