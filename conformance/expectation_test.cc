#include "conformance/expectation.h"

#include <gtest/gtest.h>

namespace imagelib::conformance {
namespace {

std::vector<std::string> mismatches(const nlohmann::json& expected, const nlohmann::json& actual) {
  std::vector<std::string> out;
  match(expected, actual, "body", out);
  return out;
}

TEST(Expectation, ObjectsMatchAsSubsets) {
  EXPECT_TRUE(mismatches({{"status", "available"}}, {{"status", "available"}, {"id", "x"}}).empty());
  const auto out = mismatches({{"status", "available"}}, {{"status", "creating"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], "body.status: expected \"available\", got \"creating\"");
}

TEST(Expectation, ArraysMatchElementByElement) {
  EXPECT_TRUE(mismatches({1, 2}, {1, 2}).empty());
  EXPECT_FALSE(mismatches({1, 2}, {1, 2, 3}).empty());
}

TEST(Expectation, Matchers) {
  EXPECT_TRUE(mismatches({{"$type", "string"}}, "x").empty());
  EXPECT_FALSE(mismatches({{"$type", "string"}}, 1).empty());
  EXPECT_TRUE(mismatches({{"$match", "^img-[0-9a-z]{5}$"}}, "img-7geqi").empty());
  EXPECT_FALSE(mismatches({{"$match", "^img-"}}, "srv-7geqi").empty());
  EXPECT_TRUE(mismatches({{"x", {{"$absent", true}}}}, {{"y", 1}}).empty());
  EXPECT_FALSE(mismatches({{"x", {{"$absent", true}}}}, {{"x", 1}}).empty());
  EXPECT_TRUE(mismatches({{"$any_of", {201, 202}}}, 202).empty());
  EXPECT_FALSE(mismatches({{"$any_of", {201, 202}}}, 200).empty());
  EXPECT_TRUE(mismatches({{"$contains", {{"id", "a"}}}}, {{{"id", "b"}}, {{"id", "a"}}}).empty());
  EXPECT_FALSE(mismatches({{"$not_contains", {{"id", "a"}}}}, {{{"id", "a"}}}).empty());
  EXPECT_TRUE(mismatches({{"$length", 2}}, {1, 2}).empty());
  EXPECT_FALSE(mismatches({{"$length", 2}}, {1}).empty());
  EXPECT_TRUE(mismatches({{"$gte", 3}}, 3).empty());
  EXPECT_FALSE(mismatches({{"$lte", 3}}, 4).empty());
  EXPECT_TRUE(mismatches({{"$ne", 0}}, 1).empty());
  const nlohmann::json both = {{"$all_of", {{{"$length", 2}}, {{"$contains", "a"}}}}};
  EXPECT_TRUE(mismatches(both, {"b", "a"}).empty());
  EXPECT_EQ(mismatches(both, {"b", "c"}).size(), 1u);
}

TEST(Expectation, AMissingFieldIsReportedAsNothing) {
  const auto out = mismatches({{"id", {{"$type", "string"}}}}, nlohmann::json::object());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].find("got nothing"), std::string::npos);
}

TEST(Interpolate, ReplacesWholeStringsByValueAndSplicesText) {
  Aliases aliases{{"img", "img-abcde"}, {"n", 3}};
  auto out = interpolate({{"path", "/1.0/images/{{img}}"}, {"count", "{{n}}"}}, aliases);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)["path"], "/1.0/images/img-abcde");
  EXPECT_EQ((*out)["count"], 3);
}

TEST(Interpolate, UnknownAliasIsAnErrorNamingIt) {
  auto out = interpolate("{{missing}}", {});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("{{missing}}"), std::string::npos);
}

TEST(ValueAt, FollowsDottedPathsThroughObjectsAndArrays) {
  const nlohmann::json doc = {{"body", {{"items", {{{"id", "a"}}, {{"id", "b"}}}}}}};
  EXPECT_EQ(value_at(doc, "body.items.1.id"), "b");
  EXPECT_TRUE(value_at(doc, "body.items.5.id").is_discarded());
  EXPECT_TRUE(value_at(doc, "body.nothing").is_discarded());
}

}  // namespace
}  // namespace imagelib::conformance
