// The time to replay the whole scenario suite (scenarios/ of the checkout)
// on the direct target (the reference in process) and on the simulated
// target (sim:1, each answer also compared with a fresh reference, as
// `imagelib replay --target sim:1` does). Counters: scenarios and steps per
// second. Run: build/bench/scenario_bench
#include <benchmark/benchmark.h>

#include "bench/bench_data.h"
#include "conformance/direct_target.h"
#include "conformance/runner.h"
#include "conformance/target_spec.h"

namespace imagelib::bench {
namespace {

void replay_suite(benchmark::State& state, const std::string& target_spec) {
  std::vector<conformance::Scenario> scenarios;
  for (const auto& file : conformance::find_scenario_files(source_directory() + "/scenarios")) {
    auto scenario = conformance::load_scenario(file);
    if (!scenario.ok()) {
      state.SkipWithError(scenario.status().to_string().c_str());
      return;
    }
    scenarios.push_back(std::move(*scenario));
  }
  std::uint64_t steps = 0;
  for (auto _ : state) {
    for (const conformance::Scenario& scenario : scenarios) {
      auto target = conformance::make_target(target_spec);
      if (!target.ok()) {
        state.SkipWithError(target.status().to_string().c_str());
        return;
      }
      conformance::DirectTarget model;
      const bool compare = (*target)->name() != "direct";
      const conformance::ScenarioResult result =
          conformance::run_scenario(scenario, **target, compare ? &model : nullptr);
      if (result.outcome == conformance::Outcome::kFailed) {
        state.SkipWithError((scenario.name + " failed on " + target_spec).c_str());
        return;
      }
      steps += result.steps.size();
    }
  }
  const auto runs = static_cast<double>(state.iterations());
  state.counters["scenarios"] = static_cast<double>(scenarios.size());
  state.counters["scenarios/s"] =
      benchmark::Counter(runs * static_cast<double>(scenarios.size()), benchmark::Counter::kIsRate);
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

void BM_ReplaySuiteDirect(benchmark::State& state) { replay_suite(state, "direct"); }
void BM_ReplaySuiteSimulated(benchmark::State& state) { replay_suite(state, "sim:1"); }

BENCHMARK(BM_ReplaySuiteDirect)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReplaySuiteSimulated)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace imagelib::bench

BENCHMARK_MAIN();
