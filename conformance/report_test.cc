#include "conformance/report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace imagelib::conformance {
namespace {

RunReport sample_report() {
  RunReport report{"direct", "imagelib replay --target direct {scenario}", {}};
  report.results.push_back({"scenarios/a.json", "a", "direct", Outcome::kPassed, "", {}, 0.5});
  ScenarioResult failed{"scenarios/b.json", "b", "direct", Outcome::kFailed, "", {}, 0.25};
  failed.steps.push_back({2, "api GET /1.0/images as main", {"status: expected 200, got 401"},
                          {{"status", 200}}, {{"status", 401}}});
  report.results.push_back(failed);
  report.results.push_back({"scenarios/c.json", "c", "direct", Outcome::kSkipped,
                            "target direct does not declare feature \"http_url\"", {}, 0});
  return report;
}

TEST(Report, ConsoleShowsEachFailureWithItsReplayAndEndsWithTheTally) {
  std::ostringstream out;
  print_console(sample_report(), out);
  const std::string text = out.str();
  EXPECT_NE(text.find("FAIL scenarios/b.json\n  step 2: api GET /1.0/images as main\n"
                      "    status: expected 200, got 401\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("replay:   imagelib replay --target direct scenarios/b.json"), std::string::npos);
  EXPECT_NE(text.find("SKIP scenarios/c.json"), std::string::npos);
  EXPECT_EQ(text.substr(text.rfind('\n', text.size() - 2) + 1), "1 passed, 1 failed, 1 skipped\n");
}

TEST(Report, JunitHasOneTestcasePerScenario) {
  const std::string xml = to_junit_xml(sample_report());
  EXPECT_NE(xml.find("tests=\"3\" failures=\"1\" skipped=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"step 2: api GET /1.0/images as main\">"), std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"target direct does not declare feature &quot;http_url&quot;\"/>"),
            std::string::npos);
}

TEST(Report, JsonReportsMergeIntoOne) {
  const auto json = to_json(sample_report());
  const RunReport merged = merge_reports({json, json});
  EXPECT_EQ(merged.results.size(), 6u);
  const Tally t = tally(merged);
  EXPECT_EQ(t.passed, 2u);
  EXPECT_EQ(t.failed, 2u);
  EXPECT_EQ(t.skipped, 2u);
  EXPECT_EQ(merged.results[1].steps.at(0).failures.at(0), "status: expected 200, got 401");
}

}  // namespace
}  // namespace imagelib::conformance
