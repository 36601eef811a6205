// Fault steps: the bundled fault scenarios pass on the simulated network
// with flaky faults too, compared step by step with the reference; each
// fault happens where the scenario says; one that never happens fails the
// step it waited for; targets without fault injection skip such scenarios
// and say why; a fault run is the same run for the same seed.
#include "conformance/sim_fault_schedule.h"

#include <gtest/gtest.h>

#include <tuple>

#include "conformance/direct_target.h"
#include "conformance/runner.h"
#include "conformance/sim_target.h"

namespace imagelib::conformance {
namespace {

const std::filesystem::path kFaultScenarios =
    std::filesystem::path(IMAGELIB_SOURCE_DIR) / "scenarios" / "faults";

std::string failures_of(const ScenarioResult& result) {
  std::string failures;
  for (const auto& step : result.steps) {
    for (const auto& f : step.failures) {
      failures += "step " + std::to_string(step.number) + " (" + step.summary + "): " + f +
                  "\n  got: " + step.got.dump().substr(0, 300) + "\n";
    }
  }
  return failures;
}

Scenario inline_scenario(const std::string& steps) {
  auto scenario = parse_scenario(R"({"format": "imagelib-scenario/1", "name": "n",
      "requires": ["api", "ftp", "fault_injection"], "steps": [)" +
                                     steps + "]}",
                                 "inline.json");
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  return scenario.ok() ? *scenario : Scenario{};
}

const char* kLogin = R"(
    {"api": {"method": "POST", "path": "/1.0/accounts/{{main.account}}/reset_ftp_password"},
     "capture": {"password": "body.library_ftp_password"}},
    {"ftp": {"op": "login", "password": "{{password}}"}, "expect": {"reply": 230}})";

std::vector<std::string> fault_scenarios() {
  std::vector<std::string> paths;
  for (const auto& p : find_scenario_files(kFaultScenarios)) paths.push_back(p.string());
  return paths;
}

using FlakyFaultScenario = std::tuple<std::string, std::uint64_t>;

class FaultScenario : public ::testing::TestWithParam<FlakyFaultScenario> {};

TEST_P(FaultScenario, PassesWithFlakyFaultsAndAgreesWithTheReference) {
  const auto& [path, seed] = GetParam();
  auto scenario = load_scenario(path);
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  SimTarget target(seed, sim::FaultProfile::kFlaky);
  DirectTarget model;
  const ScenarioResult result = run_scenario(*scenario, target, &model);
  EXPECT_EQ(result.outcome, Outcome::kPassed) << failures_of(result);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultScenario,
                         ::testing::Combine(::testing::ValuesIn(fault_scenarios()),
                                            ::testing::Values(std::uint64_t{3}, std::uint64_t{11})),
                         [](const auto& test) {
                           std::string name =
                               std::filesystem::path(std::get<0>(test.param)).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name + "_flaky_seed" + std::to_string(std::get<1>(test.param));
                         });

TEST(FaultSteps, ThereAreFaultScenarios) { EXPECT_GE(fault_scenarios().size(), 4u); }

TEST(FaultSteps, ATargetWithoutFaultInjectionSkipsAndSaysWhy) {
  const Scenario scenario = inline_scenario(R"({"fault": {"kind": "heal"}})");
  DirectTarget direct;
  EXPECT_EQ(direct.fault_injection(), nullptr);
  const ScenarioResult result = run_scenario(scenario, direct, nullptr);
  EXPECT_EQ(result.outcome, Outcome::kSkipped);
  EXPECT_EQ(result.skip_reason, "target direct does not declare feature \"fault_injection\"");
}

// Declares fault_injection (as a remote config might) but has no way to.
class ClaimsFaults final : public Target {
 public:
  std::string name() const override { return "claims-faults"; }
  std::set<std::string> features() const override { return {"api", "ftp", "fault_injection"}; }
  std::string account_id(const std::string& role) const override { return inner_.account_id(role); }
  Result<ApiReply> api(const std::string& role, const ApiCall& call) override {
    return inner_.api(role, call);
  }
  Result<FtpReply> ftp(const std::string& role, const FtpCall& call) override {
    return inner_.ftp(role, call);
  }
  Result<std::string> add_official_image(const OfficialImageCall& call) override {
    return inner_.add_official_image(call);
  }
  void advance(Duration duration) override { inner_.advance(duration); }

 private:
  DirectTarget inner_;
};

TEST(FaultSteps, ATargetThatOnlyClaimsFaultInjectionSkipsToo) {
  ClaimsFaults target;
  const ScenarioResult result =
      run_scenario(inline_scenario(R"({"fault": {"kind": "heal"}})"), target, nullptr);
  EXPECT_EQ(result.outcome, Outcome::kSkipped);
  EXPECT_EQ(result.skip_reason, "target claims-faults cannot inject faults");
}

TEST(FaultSteps, ADisconnectBreaksTheUploadWhereItSays) {
  SimTarget target(5, sim::FaultProfile::kNone);
  const Scenario scenario = inline_scenario(std::string(kLogin) + R"(,
    {"fault": {"kind": "disconnect", "link": "ftp_data", "after_bytes": 200000, "client_retries": false}},
    {"ftp": {"op": "put", "path": "/incoming/a.img",
             "content": {"generate": "raw", "size": 1048576, "seed": 1}},
     "expect": {"reply": {"$any_of": [0, 426]}}},
    {"ftp": {"op": "size", "path": "/incoming/a.img"},
     "expect": {"reply": 213, "size": {"$all_of": [{"$gte": 150000}, {"$lte": 220000}]}}})");
  const ScenarioResult result = run_scenario(scenario, target, nullptr);
  EXPECT_EQ(result.outcome, Outcome::kPassed) << failures_of(result);
  EXPECT_EQ(target.network_stats().resets, 1u);
}

TEST(FaultSteps, AFaultThatNeverHappensFailsTheStepItWaitedFor) {
  SimTarget target(5, sim::FaultProfile::kNone);
  const Scenario scenario = inline_scenario(std::string(kLogin) + R"(,
    {"fault": {"kind": "disconnect", "link": "ftp_data", "after_bytes": 1000000}},
    {"ftp": {"op": "put", "path": "/incoming/a.img", "content": {"generate": "text", "text": "small"}},
     "expect": {"reply": 226}},
    {"ftp": {"op": "size", "path": "/incoming/a.img"}, "expect": {"reply": 213}})");
  const ScenarioResult result = run_scenario(scenario, target, nullptr);
  ASSERT_EQ(result.outcome, Outcome::kFailed);
  ASSERT_EQ(result.steps.size(), 4u);
  ASSERT_EQ(result.steps[3].failures.size(), 1u);
  EXPECT_EQ(result.steps[3].failures[0].rfind("fault armed for this step: disconnect of main after "
                                              "1000000 bytes of main's ftp_data never happened",
                                              0),
            0u)
      << result.steps[3].failures[0];
}

TEST(FaultSteps, NoAnswerFailsAStepUnlessItsExpectationAcceptsZero) {
  const std::string partitioned = R"(
    {"fault": {"kind": "partition", "client_retries": false}},
    {"api": {"method": "GET", "path": "/1.0/images"}, "expect": )";
  {
    SimTarget target(5, sim::FaultProfile::kNone);
    const ScenarioResult result =
        run_scenario(inline_scenario(partitioned + R"({"status": 200}})"), target, nullptr);
    ASSERT_EQ(result.outcome, Outcome::kFailed);
    EXPECT_NE(result.steps.at(1).failures.at(0).find("transport failure"), std::string::npos)
        << result.steps.at(1).failures.at(0);
  }
  {
    SimTarget target(5, sim::FaultProfile::kNone);
    const ScenarioResult result =
        run_scenario(inline_scenario(partitioned + R"({"status": {"$any_of": [200, 0]}}},
        {"fault": {"kind": "heal"}},
        {"api": {"method": "GET", "path": "/1.0/images"}, "expect": {"status": 200}})"),
                     target, nullptr);
    EXPECT_EQ(result.outcome, Outcome::kPassed) << failures_of(result);
    EXPECT_EQ(result.steps.at(1).got.at("status"), 0);
  }
}

TEST(FaultSteps, ARestartKeepsTheLibraryDownForItsTime) {
  SimTarget target(5, sim::FaultProfile::kNone);
  const sim::SimTime start = target.virtual_now();
  const ScenarioResult result = run_scenario(inline_scenario(R"(
    {"fault": {"kind": "restart_library", "down_for": "45s"}},
    {"api": {"method": "GET", "path": "/1.0/images"}, "expect": {"status": 200}})"),
                                             target, nullptr);
  EXPECT_EQ(result.outcome, Outcome::kPassed) << failures_of(result);
  EXPECT_EQ(target.library_crashes(), 1u);
  EXPECT_GE(target.virtual_now() - start, 45 * sim::kSecond);
}

TEST(FaultSteps, TheSameSeedGivesTheSameFaultRun) {
  const auto files = fault_scenarios();
  ASSERT_FALSE(files.empty());
  auto scenario = load_scenario(files.front());
  ASSERT_TRUE(scenario.ok());
  auto trace_of = [&](std::uint64_t seed) {
    SimTarget target(seed, sim::FaultProfile::kFlaky);
    EXPECT_EQ(run_scenario(*scenario, target, nullptr).outcome, Outcome::kPassed);
    return std::make_pair(target.trace_hash(), target.events_run());
  };
  EXPECT_EQ(trace_of(3), trace_of(3));
  EXPECT_NE(trace_of(3).first, trace_of(4).first);
}

}  // namespace
}  // namespace imagelib::conformance
