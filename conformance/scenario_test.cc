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
