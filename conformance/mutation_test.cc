// The harness proves its own power: every mutation of the reference
// (reference/library/mutation.h) is caught by the bundled scenarios, played
// against the mutated reference in process and compared step by step with an
// unmutated one, as any run against a non-direct target is. The scenario that
// catches a mutant must pass against the unmutated reference, so the catch is
// the mutation's doing. Each test prints which scenario caught its mutant.
#include <gtest/gtest.h>

#include <iostream>

#include "conformance/direct_target.h"
#include "conformance/mutant_hunt.h"
#include "conformance/runner.h"

namespace imagelib::conformance {
namespace {

const std::vector<Scenario>& bundled_scenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> loaded;
    for (const auto& path :
         find_scenario_files(std::filesystem::path(IMAGELIB_SOURCE_DIR) / "scenarios")) {
      auto scenario = load_scenario(path);
      if (scenario.ok()) loaded.push_back(std::move(*scenario));
      else ADD_FAILURE() << scenario.status().message();
    }
    return cheapest_first(std::move(loaded));
  }();
  return scenarios;
}

class Mutant : public ::testing::TestWithParam<MutationInfo> {};

TEST_P(Mutant, IsCaughtByAScenarioThatPassesOnTheReference) {
  const MutationInfo& mutant = GetParam();
  auto caught = first_failing_scenario(bundled_scenarios(), [&]() -> Result<std::unique_ptr<Target>> {
    return std::unique_ptr<Target>(std::make_unique<DirectTarget>(1, mutant.mutation));
  });
  ASSERT_TRUE(caught.ok()) << caught.status().message();
  ASSERT_TRUE(caught->has_value()) << "no scenario catches the mutant " << mutant.name << ": "
                                   << mutant.description;
  const MutantCatch& by = **caught;
  std::cout << "mutant " << mutant.name << " caught by " << by.scenario << " step " << by.step
            << " (" << by.summary << "): " << by.failure.substr(0, 160) << "\n";

  auto control = load_scenario(by.scenario);
  ASSERT_TRUE(control.ok()) << control.status().message();
  DirectTarget unmutated, reference;
  EXPECT_EQ(run_scenario(*control, unmutated, &reference).outcome, Outcome::kPassed)
      << by.scenario << " fails against the unmutated reference too, so it proves nothing about "
      << mutant.name;
}

INSTANTIATE_TEST_SUITE_P(Reference, Mutant, ::testing::ValuesIn(all_mutations().begin(),
                                                                  all_mutations().end()),
                         [](const auto& param_info) {
                           std::string name(param_info.param.name);
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(MutantTarget, NamesItsMutation) {
  EXPECT_EQ(DirectTarget().name(), "direct");
  EXPECT_EQ(DirectTarget(1, Mutation::kPlainLoginAllowed).name(), "direct+mutant:plain-login");
}

}  // namespace
}  // namespace imagelib::conformance
