#include "conformance/mutant_hunt.h"

#include <algorithm>
#include <tuple>

#include "conformance/direct_target.h"
#include "conformance/runner.h"

namespace imagelib::conformance {
namespace {

bool decodes_images(const Scenario& scenario) {
  return scenario.path.find("/formats/") != std::string::npos;
}

MutantCatch catch_of(const ScenarioResult& result) {
  MutantCatch caught{result.path, 0, "", ""};
  for (const StepResult& step : result.steps) {
    if (step.failures.empty()) continue;
    caught.step = step.number;
    caught.summary = step.summary;
    caught.failure = step.failures.front();
    break;
  }
  return caught;
}

}  // namespace

Result<std::optional<MutantCatch>> first_failing_scenario(const std::vector<Scenario>& scenarios,
                                                          const TargetFactory& make_target) {
  for (const Scenario& scenario : scenarios) {
    auto target = make_target();
    if (!target.ok()) return target.status();
    DirectTarget reference;
    const ScenarioResult result = run_scenario(scenario, **target, &reference);
    if (result.outcome == Outcome::kFailed) return std::optional<MutantCatch>(catch_of(result));
  }
  return std::optional<MutantCatch>();
}

std::vector<Scenario> cheapest_first(std::vector<Scenario> scenarios) {
  std::stable_sort(scenarios.begin(), scenarios.end(), [](const Scenario& a, const Scenario& b) {
    return std::make_tuple(decodes_images(a), a.steps.size(), a.path) <
           std::make_tuple(decodes_images(b), b.steps.size(), b.path);
  });
  return scenarios;
}

std::vector<Scenario> with_first(std::vector<Scenario> scenarios, const std::string& path) {
  auto it = std::find_if(scenarios.begin(), scenarios.end(),
                         [&](const Scenario& scenario) { return scenario.path == path; });
  if (it != scenarios.end()) std::rotate(scenarios.begin(), it, std::next(it));
  return scenarios;
}

}  // namespace imagelib::conformance
