// Benchmarks of the network simulator: simulated events per second, and the
// wall time of one full seed workload (both accounts' journeys, faults then
// liveness) per fault profile. Run: build/bench/sim_bench.
#include <benchmark/benchmark.h>

#include "simulator/simulation.h"

namespace imagelib::sim {
namespace {

void run_seeds(benchmark::State& state, FaultProfile profile) {
  std::uint64_t seed = 1;
  std::uint64_t events = 0;
  for (auto _ : state) {
    SimulationOptions options;
    options.seed = seed++;
    options.profile = profile;
    const SimulationResult result = run_simulation(options);
    if (!result.ok()) {
      state.SkipWithError(("seed " + std::to_string(options.seed) + " failed").c_str());
      return;
    }
    events += result.events;
    benchmark::DoNotOptimize(result.trace_hash);
  }
  state.counters["events_per_second"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["events_per_run"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kAvgIterations);
}

void BM_SeedWorkloadNoFaults(benchmark::State& state) { run_seeds(state, FaultProfile::kNone); }
void BM_SeedWorkloadFlaky(benchmark::State& state) { run_seeds(state, FaultProfile::kFlaky); }
void BM_SeedWorkloadHostile(benchmark::State& state) { run_seeds(state, FaultProfile::kHostile); }

BENCHMARK(BM_SeedWorkloadNoFaults)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeedWorkloadFlaky)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SeedWorkloadHostile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace imagelib::sim

BENCHMARK_MAIN();
