// The simulator end to end: determinism of the trace over many seeds, every
// fault kind happening under its profile with the invariants holding, the
// "fail at I/O step N" loop, and random seeds as a RapidCheck property.
#include "simulator/simulation.h"

#include <set>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace imagelib::sim {
namespace {

SimulationOptions quick(std::uint64_t seed, FaultProfile profile) {
  SimulationOptions options;
  options.seed = seed;
  options.profile = profile;
  options.fault_phase = 20 * kSecond;
  options.min_extra_operations = 1;
  options.max_extra_operations = 3;
  return options;
}

TEST(SimulationTest, OneSeedCompletesTheJourneyOfBothAccounts) {
  SimulationOptions options = quick(1, FaultProfile::kNone);
  options.keep_trace_lines = true;
  const SimulationResult result = run_simulation(options);
  ASSERT_TRUE(result.ok()) << result.summary();
  EXPECT_EQ(result.journeys_completed, 2);
  // Each account: an upload and a snapshot, both committed.
  EXPECT_GE(result.committed_images, 4u);
  // One line per event, plus the notes events leave.
  EXPECT_GE(result.trace_lines.size(), result.events);
}

TEST(SimulationTest, TheSameSeedGivesTheSameTraceHashOverAHundredSeeds) {
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    const FaultProfile profile = seed % 2 == 0 ? FaultProfile::kHostile : FaultProfile::kFlaky;
    const SimulationResult first = run_simulation(quick(seed, profile));
    const SimulationResult second = run_simulation(quick(seed, profile));
    ASSERT_EQ(first.trace_hash, second.trace_hash) << "seed " << seed;
    ASSERT_EQ(first.events, second.events) << "seed " << seed;
    ASSERT_EQ(first.library_state, second.library_state) << "seed " << seed;
    ASSERT_TRUE(first.ok()) << first.summary();
  }
}

TEST(SimulationTest, DifferentSeedsGiveDifferentTraces) {
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    hashes.insert(run_simulation(quick(seed, FaultProfile::kNone)).trace_hash);
  }
  EXPECT_EQ(hashes.size(), 30u);
}

TEST(SimulationTest, TheProfileNoneInjectsNoFault) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const SimulationResult result = run_simulation(quick(seed, FaultProfile::kNone));
    ASSERT_TRUE(result.ok()) << result.summary();
    EXPECT_EQ(result.network.resets, 0u);
    EXPECT_EQ(result.network.short_writes, 0u);
    EXPECT_EQ(result.network.splits, 0u);
    EXPECT_EQ(result.network.partitions, 0u);
    EXPECT_EQ(result.network.clogs, 0u);
    EXPECT_EQ(result.crashes, 0u);
    EXPECT_EQ(result.retries, 0u);
  }
}

TEST(SimulationTest, EveryFaultKindHappensUnderTheHostileProfileAndTheInvariantsHold) {
  NetworkStats total;
  std::uint64_t crashes = 0;
  std::uint64_t retries = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SimulationResult result = run_simulation(quick(seed, FaultProfile::kHostile));
    ASSERT_TRUE(result.ok()) << result.summary();
    total.resets += result.network.resets;
    total.short_writes += result.network.short_writes;
    total.splits += result.network.splits;
    total.backpressure += result.network.backpressure;
    total.tail_latencies += result.network.tail_latencies;
    total.partitions += result.network.partitions;
    total.clogs += result.network.clogs;
    total.stalls += result.network.stalls;
    total.refused += result.network.refused;
    crashes += result.crashes;
    retries += result.retries;
  }
  EXPECT_GT(total.resets, 0u);
  EXPECT_GT(total.short_writes, 0u);
  EXPECT_GT(total.splits, 0u);
  EXPECT_GT(total.backpressure, 0u);
  EXPECT_GT(total.tail_latencies, 0u);
  EXPECT_GT(total.partitions, 0u);
  EXPECT_GT(total.clogs, 0u);
  EXPECT_GT(total.stalls, 0u);
  EXPECT_GT(total.refused, 0u);
  EXPECT_GT(crashes, 0u);
  EXPECT_GT(retries, 0u);
}

TEST(SimulationTest, TheFlakyProfileFaultsToo) {
  std::uint64_t resets = 0;
  std::uint64_t splits = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const SimulationResult result = run_simulation(quick(seed, FaultProfile::kFlaky));
    ASSERT_TRUE(result.ok()) << result.summary();
    resets += result.network.resets;
    splits += result.network.splits;
  }
  EXPECT_GT(resets, 0u);
  EXPECT_GT(splits, 0u);
}

// Beast's test::stream loop: reset the connection of the Nth I/O step, for
// every N until the workload ends before reaching it; each run must stay
// consistent and still complete once the network is healthy.
TEST(SimulationTest, AResetAtAnyIoStepLeavesTheLibraryConsistent) {
  std::uint64_t n = 1;
  for (;; ++n) {
    SimulationOptions options = quick(3, FaultProfile::kNone);
    options.accounts = 1;
    options.min_extra_operations = 0;
    options.max_extra_operations = 0;
    options.inject_reset_at_io_step = n;
    const SimulationResult result = run_simulation(options);
    ASSERT_TRUE(result.ok()) << "reset at I/O step " << n << "\n" << result.summary();
    if (!result.injected_reset_happened) break;
  }
  EXPECT_GT(n, 20u);
}

RC_GTEST_PROP(SimulationProperty, RandomFaultSeedsNeverBreakTheInvariants, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1'000'000'000);
  const auto profile = *rc::gen::element(FaultProfile::kFlaky, FaultProfile::kHostile);
  const SimulationResult result = run_simulation(quick(seed, profile));
  RC_ASSERT(result.ok());
}

}  // namespace
}  // namespace imagelib::sim
