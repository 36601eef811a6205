// Model-based property runs: RapidCheck generates command sequences across
// two accounts, each becomes a scenario whose expectations are the
// reference's answers (generated_scenario.h), and the scenario is replayed
// against the target under test. A failure is shrunk by RapidCheck and the
// smallest failing scenario is written to a file that replays it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "conformance/target.h"

namespace imagelib::conformance {

struct PropertyOptions {
  std::string target = "direct";
  std::uint64_t seed = 1;
  int runs = 100;
  std::optional<double> seconds;  // stop starting new cases after this long
  int max_commands = 40;
  std::filesystem::path failure_file = "imagelib-failure.json";
};

struct PropertyResult {
  bool passed = true;
  int cases = 0;           // scenarios replayed against the target
  std::string failure;     // the failing step and why, when !passed
  std::string failure_file;
  std::string replay_command;
  std::string reproduce;   // RapidCheck's RC_PARAMS="... reproduce=..." for this failure
};

// Makes a fresh target under test for each case.
using TargetFactory = std::function<std::unique_ptr<Target>()>;

// Without a factory, targets come from make_target(options.target).
PropertyResult run_property(const PropertyOptions& options, TargetFactory factory = nullptr);

}  // namespace imagelib::conformance
