#include "reference/base/ids.h"

#include <gtest/gtest.h>

namespace imagelib {
namespace {

TEST(Ids, GeneratedIdsHaveThePrefixAndFiveBase36Characters) {
  IdGenerator ids(Rng(1));
  for (int i = 0; i < 1000; ++i) {
    const std::string id = ids.next(kImagePrefix);
    EXPECT_TRUE(is_valid_id(id, kImagePrefix)) << id;
    EXPECT_EQ(id.size(), 9u);
  }
}

TEST(Ids, SameSeedGivesSameIdsAndNeverRepeats) {
  IdGenerator a(Rng(42)), b(Rng(42)), c(Rng(43));
  std::set<std::string> seen;
  bool differs = false;
  for (int i = 0; i < 500; ++i) {
    const std::string id = a.next("srv");
    EXPECT_EQ(id, b.next("srv"));
    differs |= id != c.next("srv");
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
  EXPECT_TRUE(differs);
}

TEST(Ids, ValidationFollowsTheSpecPattern) {
  EXPECT_TRUE(is_valid_id("img-7geqi"));
  EXPECT_TRUE(is_valid_id("acc-43ks4", "acc"));
  EXPECT_TRUE(is_valid_id("img-7geqi1"));
  EXPECT_FALSE(is_valid_id("img-7geqi", "acc"));
  EXPECT_FALSE(is_valid_id("img-7GEQI"));
  EXPECT_FALSE(is_valid_id("img-7geq"));
  EXPECT_FALSE(is_valid_id("im-7geqia"));
  EXPECT_FALSE(is_valid_id("img_7geqi"));
  EXPECT_FALSE(is_valid_id("../img-7geqi"));
}

}  // namespace
}  // namespace imagelib
