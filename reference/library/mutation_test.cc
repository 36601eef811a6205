#include "reference/library/mutation.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace imagelib {
namespace {

TEST(Mutation, EveryNameParsesBackToItsMutation) {
  for (const MutationInfo& info : all_mutations()) {
    EXPECT_EQ(parse_mutation(info.name), info.mutation) << info.name;
    EXPECT_EQ(to_string(info.mutation), info.name);
    EXPECT_EQ(description_of(info.mutation), info.description);
    EXPECT_FALSE(info.description.empty()) << info.name;
  }
  EXPECT_EQ(parse_mutation("none"), Mutation::kNone);
  EXPECT_EQ(to_string(Mutation::kNone), "none");
  EXPECT_EQ(parse_mutation("no-such-mutant"), std::nullopt);
}

TEST(Mutation, NamesAreDistinctAndNoneIsNotAMutant) {
  std::set<std::string_view> names;
  for (const MutationInfo& info : all_mutations()) {
    EXPECT_NE(info.mutation, Mutation::kNone);
    EXPECT_TRUE(names.insert(info.name).second) << info.name << " twice";
  }
  EXPECT_GE(names.size(), 15u);
}

}  // namespace
}  // namespace imagelib
