#include "tools/walkthrough.h"

#include <gtest/gtest.h>

#include <sstream>

namespace imagelib::cli {
namespace {

TEST(Walkthrough, EveryStepOfTheSeedDocumentPasses) {
  std::ostringstream out;
  EXPECT_EQ(run_walkthrough(out, 1), 0) << out.str();
  EXPECT_NE(out.str().find("walkthrough passed: 0 failed steps"), std::string::npos);
}

TEST(Walkthrough, SameSeedPrintsTheSameTranscript) {
  std::ostringstream a, b, c;
  (void)run_walkthrough(a, 7);
  (void)run_walkthrough(b, 7);
  (void)run_walkthrough(c, 8);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_NE(a.str(), c.str());
}

}  // namespace
}  // namespace imagelib::cli
