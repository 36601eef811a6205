// The harness proves its own power on a real deployment: every mutant of the
// reference, served by `imagelib serve --mutant NAME` on 127.0.0.1, is caught
// by the bundled scenarios played through the remote target (each step also
// compared with an unmutated reference in process). The scenario that
// catches the mutant in process goes first, so most runs need one scenario;
// the rest follow cheapest first. That the unmutated server passes the whole
// suite is remote_target_test's check. Each test prints its catch.
#include <gtest/gtest.h>

#include <iostream>

#include "conformance/direct_target.h"
#include "conformance/mutant_hunt.h"
#include "conformance/serve_fixture.h"
#include "conformance/target_spec.h"

namespace imagelib::conformance {
namespace {

const std::filesystem::path kScenarios = IMAGELIB_SOURCE_DIR "/scenarios";

const std::vector<Scenario>& bundled_scenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> loaded;
    for (const auto& path : find_scenario_files(kScenarios)) {
      auto scenario = load_scenario(path);
      if (scenario.ok()) loaded.push_back(std::move(*scenario));
      else ADD_FAILURE() << scenario.status().message();
    }
    return cheapest_first(std::move(loaded));
  }();
  return scenarios;
}

class ServedMutant : public ::testing::TestWithParam<MutationInfo> {};

TEST_P(ServedMutant, IsCaughtThroughTheRemoteTarget) {
  const MutationInfo& mutant = GetParam();
  auto in_process = first_failing_scenario(bundled_scenarios(), [&]() -> Result<std::unique_ptr<Target>> {
    return std::unique_ptr<Target>(std::make_unique<DirectTarget>(1, mutant.mutation));
  });
  ASSERT_TRUE(in_process.ok()) << in_process.status().message();
  const std::string first = in_process->has_value() ? (*in_process)->scenario : "";

  auto official_images = official_images_in_scenarios(kScenarios);
  ASSERT_TRUE(official_images.ok()) << official_images.status().message();
  ServeFixtureOptions options;
  options.binary = IMAGELIB_BINARY;
  options.extra_args = {"--mutant", std::string(mutant.name)};
  options.official_images = std::move(*official_images);
  auto fixture = ServeFixture::start(options);
  ASSERT_TRUE(fixture.ok()) << fixture.status().message();

  auto caught = first_failing_scenario(with_first(bundled_scenarios(), first), [&] {
    return make_target((*fixture)->target_spec());
  });
  ASSERT_TRUE(caught.ok()) << caught.status().message() << "\n" << (*fixture)->log();
  ASSERT_TRUE(caught->has_value()) << "no scenario catches the served mutant " << mutant.name
                                   << ": " << mutant.description;
  const MutantCatch& by = **caught;
  std::cout << "served mutant " << mutant.name << " caught by " << by.scenario << " step "
            << by.step << " (" << by.summary << "): " << by.failure.substr(0, 160) << "\n";
  EXPECT_TRUE((*fixture)->stop().ok()) << (*fixture)->log();
}

INSTANTIATE_TEST_SUITE_P(Loopback, ServedMutant,
                         ::testing::ValuesIn(all_mutations().begin(), all_mutations().end()),
                         [](const auto& param_info) {
                           std::string name(param_info.param.name);
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace imagelib::conformance
