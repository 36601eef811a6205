#include "conformance/property_run.h"

#include <gtest/gtest.h>

#include "conformance/direct_target.h"
#include "conformance/runner.h"
#include "conformance/scenario.h"

namespace imagelib::conformance {
namespace {

// A deployment with one planted bug: the "alt" account's listing also holds
// "main"'s images, private ones included.
class LeakyTarget final : public Target {
 public:
  std::string name() const override { return "leaky"; }
  std::set<std::string> features() const override { return inner_.features(); }
  std::string account_id(const std::string& role) const override { return inner_.account_id(role); }
  Result<ApiReply> api(const std::string& role, const ApiCall& call) override {
    if (role == "alt" && call.method == "GET" && call.path == "/1.0/images") {
      return inner_.api("main", call);
    }
    return inner_.api(role, call);
  }
  Result<FtpReply> ftp(const std::string& role, const FtpCall& call) override { return inner_.ftp(role, call); }
  Result<std::string> add_official_image(const OfficialImageCall& call) override {
    return inner_.add_official_image(call);
  }
  void advance(Duration duration) override { inner_.advance(duration); }

 private:
  DirectTarget inner_;
};

std::filesystem::path temp_file(const std::string& name) {
  return std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".json");
}

TEST(PropertyRun, TheReferenceConformsToItself) {
  const auto file = temp_file("imagelib-property-pass");
  const PropertyResult result =
      run_property({.target = "direct", .seed = 3, .runs = 50, .max_commands = 30, .failure_file = file});
  EXPECT_TRUE(result.passed) << result.failure << " " << result.reproduce;
  EXPECT_EQ(result.cases, 50);
  EXPECT_FALSE(std::filesystem::exists(file));
}

TEST(PropertyRun, APlantedBugIsFoundShrunkAndWrittenAsAScenarioThatReplaysIt) {
  const auto file = temp_file("imagelib-property-fail");
  const PropertyResult result = run_property(
      {.target = "leaky", .seed = 3, .runs = 200, .max_commands = 30, .failure_file = file},
      [] { return std::make_unique<LeakyTarget>(); });
  ASSERT_FALSE(result.passed);
  EXPECT_NE(result.failure.find("api GET /1.0/images as alt"), std::string::npos) << result.failure;
  ASSERT_TRUE(std::filesystem::exists(file));

  auto scenario = load_scenario(file);
  ASSERT_TRUE(scenario.ok()) << scenario.status().message();
  // Shrunk: an upload and a listing by the other account are all it takes.
  EXPECT_LE(scenario->steps.size(), 6u);
  LeakyTarget leaky;
  EXPECT_EQ(run_scenario(*scenario, leaky, nullptr).outcome, Outcome::kFailed);
  DirectTarget reference;
  EXPECT_EQ(run_scenario(*scenario, reference, nullptr).outcome, Outcome::kPassed);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace imagelib::conformance
