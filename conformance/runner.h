// The scenario runner: plays a scenario's steps against a target, checks each
// response against the step's expectations and, when a model target is
// given, against what the reference answers to the same step.
#pragma once

#include <string>
#include <vector>

#include "conformance/scenario.h"
#include "conformance/target.h"

namespace imagelib::conformance {

struct StepResult {
  std::size_t number = 0;        // 1-based
  std::string summary;           // "api POST /1.0/images as main"
  std::vector<std::string> failures;  // empty when the step passed
  nlohmann::json expected;       // the step's interpolated "expect"
  nlohmann::json got;            // what the target answered
};

enum class Outcome { kPassed, kFailed, kSkipped };

struct ScenarioResult {
  std::string path;
  std::string name;
  std::string target;
  Outcome outcome = Outcome::kPassed;
  std::string skip_reason;
  std::vector<StepResult> steps;  // up to and including the first failing step
  double seconds = 0;
};

// Runs `scenario` against `target`. `model`, when not null, is a fresh
// reference target that gets the same steps; responses that differ from the
// model's (after ids and times are normalised) fail the step.
ScenarioResult run_scenario(const Scenario& scenario, Target& target, Target* model);

}  // namespace imagelib::conformance
