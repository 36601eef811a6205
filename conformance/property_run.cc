#include "conformance/property_run.h"

#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "conformance/direct_target.h"
#include "conformance/generated_scenario.h"
#include "conformance/runner.h"
#include "conformance/scenario.h"
#include "conformance/target_spec.h"

namespace rc {
template <>
struct Arbitrary<imagelib::conformance::Command> {
  // Uniform choices: gen::inRange scales with RapidCheck's size, which would
  // make small cases use only the first kinds and the first actor.
  static Gen<imagelib::conformance::Command> arbitrary() {
    using imagelib::conformance::Command;
    using imagelib::conformance::CommandKind;
    std::vector<CommandKind> kinds;
    for (int k = 0; k < imagelib::conformance::kCommandKinds; ++k) kinds.push_back(static_cast<CommandKind>(k));
    return gen::build<Command>(gen::set(&Command::kind, gen::elementOf(kinds)),
                               gen::set(&Command::actor, gen::element(0, 1)),
                               gen::set(&Command::pick, gen::resize(100, gen::inRange<std::uint32_t>(0, 16))));
  }
};
}  // namespace rc

namespace imagelib::conformance {
namespace {

std::string describe_failure(const ScenarioResult& result) {
  if (result.steps.empty()) return result.skip_reason;
  const StepResult& step = result.steps.back();
  std::string text = "step " + std::to_string(step.number) + " (" + step.summary + "):";
  for (const auto& f : step.failures) text += " " + f + ";";
  return text;
}

}  // namespace

PropertyResult run_property(const PropertyOptions& options, TargetFactory factory) {
  if (!factory) {
    factory = [spec = options.target]() -> std::unique_ptr<Target> {
      auto target = make_target(spec);
      return target.ok() ? std::move(*target) : nullptr;
    };
  }
  // RapidCheck's detail API takes the parameters per run (its public
  // rc::check reads them once per process from RC_PARAMS), and its result
  // carries what the reproduce string is made of.
  rc::detail::TestParams params;
  params.seed = options.seed;
  params.maxSuccess = options.runs;
  params.maxSize = options.max_commands;
  rc::detail::TestMetadata metadata;
  metadata.id = "imagelib-fuzz";
  metadata.description = "the target answers as the reference";

  PropertyResult outcome;
  outcome.replay_command = "imagelib replay --target " + options.target + " " +
                           options.failure_file.string();
  const auto started = std::chrono::steady_clock::now();
  const auto result = rc::detail::checkTestable([&] {
    const auto commands = *rc::gen::arbitrary<std::vector<Command>>();
    RC_PRE(!commands.empty());
    if (options.seconds &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > *options.seconds) {
      return;  // out of time: count the case as passed without running it
    }
    DirectTarget model;
    const nlohmann::json json = build_scenario(commands, model, "property run, seed " +
                                                                   std::to_string(options.seed));
    RC_PRE(!json["steps"].empty());  // e.g. only snapshots, and no server to take one of
    auto scenario = parse_scenario(json.dump(), options.failure_file.string());
    if (!scenario.ok()) RC_FAIL("a generated scenario is invalid: " + scenario.status().message());
    auto target = factory();
    RC_ASSERT(target != nullptr);
    ++outcome.cases;
    const ScenarioResult replayed = run_scenario(*scenario, *target, nullptr);
    if (replayed.outcome == Outcome::kFailed) {
      // Each failing case overwrites the file: the last one is the shrunk one.
      std::ofstream(options.failure_file) << json.dump(2) << "\n";
      outcome.failure = describe_failure(replayed);
      RC_FAIL(outcome.failure);
    }
  }, metadata, params);
  if (result.is<rc::detail::FailureResult>()) {
    const auto& failure = result.get<rc::detail::FailureResult>();
    outcome.passed = false;
    if (outcome.failure.empty()) outcome.failure = failure.description;
    outcome.failure_file = options.failure_file.string();
    rc::detail::Configuration config;
    config.testParams = params;
    config.reproduce[metadata.id] = failure.reproduce;
    outcome.reproduce = "RC_PARAMS=\"" + rc::detail::configToMinimalString(config) + "\"";
  } else if (result.is<rc::detail::GaveUpResult>()) {
    outcome.passed = false;
    outcome.failure = "RapidCheck gave up: " + result.get<rc::detail::GaveUpResult>().description;
  } else if (result.is<rc::detail::Error>()) {
    outcome.passed = false;
    outcome.failure = "RapidCheck error: " + result.get<rc::detail::Error>().description;
  }
  return outcome;
}

}  // namespace imagelib::conformance
