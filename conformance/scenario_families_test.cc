#include "conformance/scenario_families.h"

#include <gtest/gtest.h>

#include <fstream>

#include "conformance/scenario.h"

namespace imagelib::conformance {
namespace {

const std::filesystem::path kGenerated = IMAGELIB_SOURCE_DIR "/scenarios/generated";

TEST(ScenarioFamilies, TheCheckedInFilesAreWhatTheGeneratorWrites) {
  const auto families = scenario_families();
  EXPECT_EQ(families.size(), find_scenario_files(kGenerated).size());
  for (const auto& file : families) {
    std::ifstream in(kGenerated / file.name);
    ASSERT_TRUE(in) << file.name << " is missing: run `imagelib scenarios generate scenarios/generated`";
    const auto checked_in = nlohmann::json::parse(in, nullptr, false);
    EXPECT_EQ(checked_in, file.scenario) << file.name << " differs: run `imagelib scenarios generate scenarios/generated`";
    EXPECT_TRUE(parse_scenario(file.scenario.dump(), file.name).ok()) << file.name;
  }
}

TEST(ScenarioFamilies, EveryEndpointMeetsEveryCredential) {
  std::map<std::string, std::set<std::string>> endpoints_by_auth;
  for (const auto& file : scenario_families()) {
    for (const auto& step : file.scenario["steps"]) {
      if (!step.contains("api") || step["expect"].value("status", 0) != 401) continue;
      endpoints_by_auth[step["api"].value("auth", "token")].insert(step["api"]["method"].get<std::string>() + " " +
                                                                    step["api"]["path"].get<std::string>());
    }
  }
  ASSERT_EQ(endpoints_by_auth.size(), 3u);
  EXPECT_GE(endpoints_by_auth["none"].size(), 19u);
  EXPECT_EQ(endpoints_by_auth["none"], endpoints_by_auth["bad-token"]);
  EXPECT_EQ(endpoints_by_auth["none"], endpoints_by_auth["expired-token"]);
}

}  // namespace
}  // namespace imagelib::conformance
