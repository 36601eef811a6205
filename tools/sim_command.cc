#include "tools/sim_command.h"

#include <charconv>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "simulator/simulation.h"
#include "tools/command.h"

namespace imagelib::cli {
namespace {

struct SimArguments {
  std::uint64_t seed = 1;
  std::string seeds;  // "A-B"
  std::string faults = "flaky";
  std::string trace_file;
};

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(const std::string& text) {
  const std::size_t dash = text.find('-');
  if (dash == std::string::npos) return std::nullopt;
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  auto a = std::from_chars(text.data(), text.data() + dash, first);
  auto b = std::from_chars(text.data() + dash + 1, text.data() + text.size(), last);
  if (a.ec != std::errc() || a.ptr != text.data() + dash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || last < first) {
    return std::nullopt;
  }
  return std::make_pair(first, last);
}

int run_sim(const SimArguments& args) {
  const auto profile = sim::parse_fault_profile(args.faults);
  if (!profile) return fail("unknown fault profile '" + args.faults + "' (none, flaky, hostile)");
  std::uint64_t first = args.seed;
  std::uint64_t last = args.seed;
  if (!args.seeds.empty()) {
    auto range = parse_range(args.seeds);
    if (!range) return fail("--seeds wants A-B with A <= B, got '" + args.seeds + "'");
    std::tie(first, last) = *range;
  }
  if (!args.trace_file.empty() && first != last) return fail("--trace takes a single seed");

  int failures = 0;
  for (std::uint64_t seed = first;; ++seed) {
    sim::SimulationOptions options;
    options.seed = seed;
    options.profile = *profile;
    options.keep_trace_lines = !args.trace_file.empty();
    const sim::SimulationResult result = sim::run_simulation(options);
    std::cout << result.summary();
    if (!args.trace_file.empty()) {
      std::ofstream trace(args.trace_file);
      for (const auto& line : result.trace_lines) trace << line << "\n";
      if (!trace) return fail("cannot write the trace to " + args.trace_file);
    }
    if (!result.ok()) {
      ++failures;
      std::cout << "replay with: imagelib sim --seed " << seed << " --faults " << args.faults << "\n";
    }
    if (seed == last) break;
    std::cout << "\n";
  }
  if (first != last) {
    std::cout << "\n" << (last - first + 1) << " seeds, " << failures << " failed\n";
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_sim_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimArguments>();
  auto* sim = app.add_subcommand(
      "sim", "Run the simulated FTPS/API network workload for a seed and print its trace hash");
  sim->add_option("--seed", args->seed, "The run's seed: faults, latencies, workload")
      ->capture_default_str();
  sim->add_option("--seeds", args->seeds, "A range of seeds A-B to run one after the other");
  sim->add_option("--faults", args->faults, "Fault profile: none, flaky or hostile")
      ->capture_default_str();
  sim->add_option("--trace", args->trace_file, "Write every trace line to this file");
  sim->callback([args, &exit_code] { exit_code = run_sim(*args); });
}

}  // namespace imagelib::cli
