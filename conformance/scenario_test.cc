#include "conformance/scenario.h"

#include <gtest/gtest.h>

namespace imagelib::conformance {
namespace {

const char* kMinimal = R"({"format": "imagelib-scenario/1", "name": "n",
  "steps": [{"api": {"method": "GET", "path": "/1.0/images"}, "expect": {"status": 200}}]})";

TEST(Scenario, ParsesAMinimalScenario) {
  auto scenario = parse_scenario(kMinimal, "x.json");
  ASSERT_TRUE(scenario.ok()) << scenario.status().to_string();
  EXPECT_EQ(scenario->name, "n");
  EXPECT_EQ(scenario->steps.size(), 1u);
}

TEST(Scenario, BadJsonNamesTheFile) {
  auto scenario = parse_scenario("{\"format\": ", "scenarios/bad.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().message().rfind("scenarios/bad.json: not valid JSON", 0), 0u)
      << scenario.status().message();
}

TEST(Scenario, SchemaErrorsNameTheFileTheStepAndTheField) {
  auto scenario = parse_scenario(R"({"format": "imagelib-scenario/1", "name": "n", "steps": [
      {"api": {"method": "GET", "path": "/1.0/images"}},
      {"api": {"method": "FETCH", "path": "/1.0/images"}}]})",
                                 "scenarios/x.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().message(),
            "scenarios/x.json: step 2, /api/method: must be one of GET, POST, PUT, DELETE, PATCH");
}

TEST(Scenario, UnknownFieldsAreRefused) {
  auto scenario = parse_scenario(R"({"format": "imagelib-scenario/1", "name": "n", "steps": [
      {"api": {"method": "GET", "path": "/1.0/images"}, "expcet": {}}]})",
                                 "x.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_NE(scenario.status().message().find("step 1, /expcet: is not a known field"),
            std::string::npos)
      << scenario.status().message();
}

TEST(Scenario, UnknownActorsAreRefused) {
  auto scenario = parse_scenario(R"({"format": "imagelib-scenario/1", "name": "n", "steps": [
      {"api": {"method": "GET", "path": "/1.0/images"}, "as": "mallory"}]})",
                                 "x.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_NE(scenario.status().message().find("unknown actor \"mallory\""), std::string::npos);
}

TEST(Scenario, ActorsMapToAccountRoles) {
  auto scenario = parse_scenario(R"({"format": "imagelib-scenario/1", "name": "n",
      "actors": {"owner": "main", "stranger": "alt"}, "steps": [
      {"api": {"method": "GET", "path": "/1.0/images"}, "as": "stranger"}]})",
                                 "x.json");
  ASSERT_TRUE(scenario.ok());
  EXPECT_EQ(account_role_of(*scenario, scenario->steps[0]), "alt");
}

// A scenario with one fault step (given as JSON text) before a GET.
std::string with_fault(const std::string& fault, const std::string& requires_list) {
  return R"({"format": "imagelib-scenario/1", "name": "n", "requires": [)" + requires_list +
         R"(], "steps": [{"api": {"method": "GET", "path": "/1.0/images"}}, {"fault": )" + fault +
         R"(}, {"api": {"method": "GET", "path": "/1.0/images"}}]})";
}

TEST(Scenario, FaultStepsOfEachKindLoad) {
  for (const std::string fault :
       {R"({"kind": "disconnect", "link": "ftp_data", "after_bytes": 4096, "client_retries": false})",
        R"({"kind": "partition"})", R"({"kind": "partition", "for": "40s"})",
        R"({"kind": "partition", "link": "api", "after_bytes": 1})", R"({"kind": "heal"})",
        R"({"kind": "restart_library"})",
        R"({"kind": "restart_library", "down_for": "30s", "link": "ftp", "after_bytes": 10})"}) {
    auto scenario = parse_scenario(with_fault(fault, R"("api", "fault_injection")"), "x.json");
    ASSERT_TRUE(scenario.ok()) << fault << ": " << scenario.status().message();
    EXPECT_EQ(scenario->steps.at(1).at("fault"), nlohmann::json::parse(fault));
    EXPECT_EQ(scenario->requires_features.count("fault_injection"), 1u);
  }
}

TEST(Scenario, FaultStepsNeedTheFaultInjectionFeature) {
  auto scenario = parse_scenario(with_fault(R"({"kind": "heal"})", R"("api")"), "scenarios/x.json");
  ASSERT_FALSE(scenario.ok());
  EXPECT_EQ(scenario.status().message(),
            "scenarios/x.json: step 2, /fault: a fault step needs \"fault_injection\" in the "
            "scenario's requires");
}

TEST(Scenario, BadFaultStepsNameTheStepAndTheField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"kind": "unplug"})", "step 2, /fault/kind: must be one of"},
      {R"({"kind": "disconnect", "link": "smtp", "after_bytes": 1})", "step 2, /fault/link: must be one of"},
      {R"({"kind": "disconnect", "link": "ftp", "after_bytes": 0})", "step 2, /fault/after_bytes: must be at least 1"},
      {R"({"kind": "partition", "for": "soon"})", "step 2, /fault/for: must match"},
      {R"({"kind": "partition", "when": "now"})", "step 2, /fault/when: is not a known field"},
      {R"({"link": "api"})", "step 2, /fault: lacks the required field \"kind\""},
      {R"({"kind": "disconnect", "link": "ftp_data"})",
       "step 2, /fault/after_bytes: a disconnect needs after_bytes and link"},
      {R"({"kind": "partition", "after_bytes": 5})", "step 2, /fault/after_bytes: link and after_bytes go together"},
      {R"({"kind": "restart_library", "link": "api"})", "step 2, /fault/link: link and after_bytes go together"},
      {R"({"kind": "heal", "for": "1s"})", "step 2, /fault/for: a heal takes no for"},
      {R"({"kind": "restart_library", "for": "1s"})", "step 2, /fault/for: only a partition lasts for a time"},
      {R"({"kind": "partition", "down_for": "1s"})",
       "step 2, /fault/down_for: only a restart_library is down for a time"},
  };
  for (const auto& [fault, wanted] : cases) {
    auto scenario = parse_scenario(with_fault(fault, R"("fault_injection")"), "scenarios/x.json");
    ASSERT_FALSE(scenario.ok()) << fault;
    EXPECT_EQ(scenario.status().message().rfind("scenarios/x.json: " + wanted, 0), 0u)
        << fault << " gave: " << scenario.status().message();
  }
}

TEST(Scenario, EveryBundledScenarioLoads) {
  const auto files = find_scenario_files(std::filesystem::path(IMAGELIB_SOURCE_DIR) / "scenarios");
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    auto scenario = load_scenario(file);
    EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  }
}

}  // namespace
}  // namespace imagelib::conformance
