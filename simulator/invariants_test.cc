#include "simulator/invariants.h"

#include <gtest/gtest.h>

#include "reference/library/testing.h"

namespace imagelib::sim {
namespace {

using imagelib::testing::LibraryFixture;
using imagelib::testing::sample_disk;

TEST(InvariantCheckerTest, AHealthyLibraryPasses) {
  LibraryFixture f;
  InvariantChecker checker(f.library, {f.main, f.alt});
  f.add_image(f.main, "disk.img", sample_disk());
  f.add_image(f.alt, "other.img", sample_disk(), true);
  EXPECT_EQ(checker.check(), std::nullopt);
  EXPECT_EQ(checker.committed_images(), 2u);
}

TEST(InvariantCheckerTest, ACommittedImageThatDisappearsIsReported) {
  LibraryFixture f;
  InvariantChecker checker(f.library, {f.main});
  const Image image = f.add_image(f.main, "disk.img", sample_disk());
  ASSERT_EQ(checker.check(), std::nullopt);
  ASSERT_TRUE(f.library.destroy_image(f.main, image.id).ok());
  const auto broken = checker.check();
  ASSERT_TRUE(broken);
  EXPECT_NE(broken->find("committed image lost: " + image.id), std::string::npos) << *broken;
}

TEST(InvariantCheckerTest, ARegisteredSourceBackInIncomingIsReported) {
  LibraryFixture f;
  InvariantChecker checker(f.library, {f.main});
  f.add_image(f.main, "disk.img", sample_disk());
  ASSERT_EQ(checker.check(), std::nullopt);
  f.upload(f.main, "disk.img", sample_disk());
  const auto broken = checker.check();
  ASSERT_TRUE(broken);
  EXPECT_NE(broken->find("file both in incoming/ and images/"), std::string::npos) << *broken;
}

}  // namespace
}  // namespace imagelib::sim
