// imagelib fuzz: model-based property runs against a target. Each seed is
// one RapidCheck run of --runs cases; --seeds A-B with --shard I/N spreads
// seeds over machines. A failure is shrunk and written as a scenario file.
#include <cstdint>
#include <fstream>

#include <nlohmann/json.hpp>

#include "conformance/property_run.h"
#include "conformance/target_spec.h"
#include "tools/command.h"

namespace imagelib::cli {
namespace {

struct FuzzOptions {
  std::string target = "direct";
  std::uint64_t seed = 1;
  std::string seeds;  // "A-B"
  std::string shard;  // "I/N"
  int runs = 100;
  double seconds = 0;
  int max_commands = 40;
  std::string out_dir = ".";
  std::string json;
};

Result<std::vector<std::uint64_t>> seeds_of(const FuzzOptions& options) {
  std::uint64_t first = options.seed, last = options.seed;
  if (!options.seeds.empty()) {
    const auto dash = options.seeds.find('-');
    try {
      first = std::stoull(options.seeds.substr(0, dash));
      last = dash == std::string::npos ? first : std::stoull(options.seeds.substr(dash + 1));
    } catch (const std::exception&) {
      return Status(ErrorCode::kBadRequest, "--seeds takes A-B, not \"" + options.seeds + "\"");
    }
    if (last < first) return Status(ErrorCode::kBadRequest, "--seeds A-B needs A <= B");
  }
  std::uint64_t index = 0, count = 1;
  if (!options.shard.empty()) {
    const auto slash = options.shard.find('/');
    try {
      index = std::stoull(options.shard.substr(0, slash));
      count = std::stoull(options.shard.substr(slash + 1));
    } catch (const std::exception&) {
      count = 0;
    }
    if (slash == std::string::npos || count == 0 || index >= count) {
      return Status(ErrorCode::kBadRequest, "--shard takes I/N with 0 <= I < N");
    }
  }
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    if ((seed - first) % count == index) seeds.push_back(seed);
  }
  return seeds;
}

int run_fuzz(const FuzzOptions& options) {
  if (auto probe = conformance::make_target(options.target); !probe.ok()) {
    return fail(probe.status().message());
  }
  auto seeds = seeds_of(options);
  if (!seeds.ok()) return fail(seeds.status().message());
  nlohmann::json report = {{"target", options.target}, {"seeds", nlohmann::json::array()}};
  int failures = 0;
  for (const std::uint64_t seed : *seeds) {
    conformance::PropertyOptions run;
    run.target = options.target;
    run.seed = seed;
    run.runs = options.runs;
    run.max_commands = options.max_commands;
    if (options.seconds > 0) run.seconds = options.seconds;
    run.failure_file = std::filesystem::path(options.out_dir) / ("failure-seed-" + std::to_string(seed) + ".json");
    const auto result = conformance::run_property(run);
    std::cout << "seed " << seed << ": " << (result.passed ? "passed" : "FAILED") << " after "
              << result.cases << " cases\n";
    nlohmann::json entry = {{"seed", seed}, {"passed", result.passed}, {"cases", result.cases}};
    if (!result.passed) {
      ++failures;
      std::cout << "  " << result.failure << "\n";
      if (!result.failure_file.empty()) {
        std::cout << "  shrunk scenario: " << result.failure_file << "\n"
                  << "  replay:          " << result.replay_command << "\n"
                  << "  rapidcheck:      " << result.reproduce << "\n";
      }
      entry["failure"] = result.failure;
      entry["scenario"] = result.failure_file;
      entry["reproduce"] = result.reproduce;
    }
    report["seeds"].push_back(std::move(entry));
  }
  std::cout << seeds->size() - static_cast<std::size_t>(failures) << " passed, " << failures
            << " failed\n";
  if (!options.json.empty()) std::ofstream(options.json) << report.dump(2) << "\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_fuzz_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<FuzzOptions>();
  auto* command = app.add_subcommand(
      "fuzz", "Model-based property runs: random command sequences checked against the reference");
  command->add_option("-t,--target", options->target, "direct[:SEED] or another target")->capture_default_str();
  command->add_option("--seed", options->seed, "RapidCheck seed")->capture_default_str();
  command->add_option("--seeds", options->seeds, "A range of seeds A-B, one run each");
  command->add_option("--shard", options->shard, "Run only seeds I, I+N, ... of the range (I/N)");
  command->add_option("--runs", options->runs, "Cases per seed")->capture_default_str();
  command->add_option("--seconds", options->seconds, "Stop starting new cases after this long");
  command->add_option("--max-commands", options->max_commands, "Longest command sequence")
      ->capture_default_str();
  command->add_option("--out", options->out_dir, "Folder for shrunk failing scenarios")->capture_default_str();
  command->add_option("--json", options->json, "Write a JSON report here");
  command->callback([options, &exit_code] { exit_code = run_fuzz(*options); });
}

}  // namespace imagelib::cli
