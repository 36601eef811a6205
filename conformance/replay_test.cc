// Every bundled scenario passes against the reference in process, and a
// scenario whose expectation is wrong fails at the right step.
#include <gtest/gtest.h>

#include "conformance/direct_target.h"
#include "conformance/runner.h"
#include "conformance/target_spec.h"

namespace imagelib::conformance {
namespace {

std::vector<std::string> bundled_scenarios() {
  std::vector<std::string> paths;
  for (const auto& p : find_scenario_files(std::filesystem::path(IMAGELIB_SOURCE_DIR) / "scenarios")) {
    paths.push_back(p.string());
  }
  return paths;
}

class BundledScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(BundledScenario, PassesAgainstTheDirectTarget) {
  auto scenario = load_scenario(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  DirectTarget target;
  const ScenarioResult result = run_scenario(*scenario, target, nullptr);
  std::string failures;
  for (const auto& step : result.steps) {
    for (const auto& f : step.failures) {
      failures += "step " + std::to_string(step.number) + " (" + step.summary + "): " + f +
                  "\n  got: " + step.got.dump() + "\n";
    }
  }
  EXPECT_NE(result.outcome, Outcome::kFailed) << failures;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, BundledScenario, ::testing::ValuesIn(bundled_scenarios()),
                         [](const auto& param_info) {
                           std::string name = std::filesystem::path(param_info.param).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name + "_" + std::to_string(param_info.index);
                         });

TEST(Replay, TheSimulatedNetworkAnswersAsTheReferenceOnEveryStep) {
  // Ids, times (also inside generated names) and texts are normalised; the
  // rest of every answer must agree.
  auto scenario = load_scenario(std::filesystem::path(IMAGELIB_SOURCE_DIR) /
                                "scenarios/walkthrough/seed-document-journey.json");
  ASSERT_TRUE(scenario.ok());
  auto target = make_target("sim:1");
  ASSERT_TRUE(target.ok());
  DirectTarget model(9);
  const ScenarioResult result = run_scenario(*scenario, **target, &model);
  EXPECT_EQ(result.outcome, Outcome::kPassed)
      << (result.steps.empty() ? "" : result.steps.back().summary + ": " +
                                          (result.steps.back().failures.empty() ? "" : result.steps.back().failures[0]));
}

TEST(Replay, AWrongExpectationFailsAtItsStep) {
  auto scenario = parse_scenario(R"({"format": "imagelib-scenario/1", "name": "n", "steps": [
      {"api": {"method": "GET", "path": "/1.0/images"}, "expect": {"status": 200}},
      {"api": {"method": "GET", "path": "/1.0/images/img-zzzzz"}, "expect": {"status": 200}},
      {"api": {"method": "GET", "path": "/1.0/images"}, "expect": {"status": 200}}]})",
                                 "inline.json");
  ASSERT_TRUE(scenario.ok());
  DirectTarget target;
  const ScenarioResult result = run_scenario(*scenario, target, nullptr);
  EXPECT_EQ(result.outcome, Outcome::kFailed);
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(result.steps[1].failures.at(0), "status: expected 200, got 404");
}

TEST(Replay, AnAnswerThatDiffersFromTheReferenceFailsTheStep) {
  auto scenario = parse_scenario(R"({"format": "imagelib-scenario/1", "name": "n", "steps": [
      {"api": {"method": "POST", "path": "/1.0/images", "body": {"arch": "x86_64", "source": "a.img"}}}]})",
                                 "inline.json");
  ASSERT_TRUE(scenario.ok());
  DirectTarget model(1), same(1), different(1);
  EXPECT_EQ(run_scenario(*scenario, same, &model).outcome, Outcome::kPassed);
  // Only `different` holds the file, so it answers 201 where the reference says 422.
  const FtpPath file{FtpFolder::kIncoming, "a.img"};
  const AccountId main = different.account_id("main");
  ASSERT_TRUE(different.library().ftp_open_for_write(main, file, WriteMode::kReplace, 0, *different.now()).ok());
  ASSERT_TRUE(different.library().ftp_write(main, file, 0, Bytes(4096, 1), *different.now()).ok());
  DirectTarget fresh_model(1);
  const ScenarioResult result = run_scenario(*scenario, different, &fresh_model);
  ASSERT_EQ(result.outcome, Outcome::kFailed);
  const auto& failures = result.steps.at(0).failures;
  EXPECT_NE(std::find(failures.begin(), failures.end(),
                      "differs from the reference: status: reference 422, target 201"),
            failures.end());
}

}  // namespace
}  // namespace imagelib::conformance
