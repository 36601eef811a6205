#include "conformance/reference_comparison.h"

#include <gtest/gtest.h>

namespace imagelib::conformance {
namespace {

using json = nlohmann::json;

json image(const std::string& id, const std::string& owner, const std::string& name, const std::string& status) {
  return {{"id", id}, {"resource_type", "image"}, {"owner", owner}, {"name", name}, {"status", status}};
}

std::vector<std::string> differences(ReferenceComparison& comparison, const json& model, const json& target) {
  std::vector<std::string> out;
  comparison.compare(model, target, out);
  return out;
}

ComparisonRules rules() {
  ComparisonRules out;
  out.run_accounts = {"acc-tmain"};
  return out;
}

TEST(ReferenceComparison, ListsAreSetsWhoseIdsPairByNameAndOwner) {
  ReferenceComparison comparison(rules());
  ASSERT_TRUE(comparison.pair("acc-tmain", "acc-mmain"));
  const json model = {{"status", 200},
                      {"body", {image("img-m0001", "acc-mmain", "a", "available"),
                                image("img-m0002", "acc-mmain", "b", "failed")}}};
  const json target = {{"status", 200},
                       {"body", {image("img-t0002", "acc-tmain", "b", "failed"),
                                 image("img-t0001", "acc-tmain", "a", "available")}}};
  EXPECT_TRUE(differences(comparison, model, target).empty());
  // Paired now: the same ids elsewhere must stand for the same images.
  const json swapped = {{"status", 200}, {"body", {{"id", "img-t0001"}, {"image", "img-t0002"}}}};
  const json expected = {{"status", 200}, {"body", {{"id", "img-m0002"}, {"image", "img-m0001"}}}};
  EXPECT_EQ(differences(comparison, expected, swapped).size(), 2u);
}

TEST(ReferenceComparison, AMissingARepeatedAndAnUnknownOwnEntryDiffer) {
  ReferenceComparison comparison(rules());
  comparison.pair("acc-tmain", "acc-mmain");
  comparison.pair("img-t0001", "img-m0001");
  const json one = image("img-m0001", "acc-mmain", "a", "available");
  const json ours = image("img-t0001", "acc-tmain", "a", "available");
  EXPECT_EQ(differences(comparison, {{"body", {one}}}, {{"body", json::array()}}),
            std::vector<std::string>{"body: the reference lists img-m0001 (\"a\", available), the target does not"});
  EXPECT_EQ(differences(comparison, {{"body", {one}}}, {{"body", {ours, ours}}}),
            std::vector<std::string>{"body: the target lists img-t0001 (\"a\", available) more than once"});
  const json phantom = image("img-t0009", "acc-tmain", "x", "available");
  EXPECT_EQ(differences(comparison, {{"body", {one}}}, {{"body", {ours, phantom}}}).size(), 1u);
  // Another account's entry (an official image the deployment holds) may be listed.
  EXPECT_TRUE(differences(comparison, {{"body", {one}}}, {{"body", {ours, image("img-t0010", "acc-tsyst", "o", "available")}}}).empty());
}

TEST(ReferenceComparison, AccountsNotDedicatedMayHoldWhatTheRunNeverSaw) {
  ComparisonRules shared = rules();
  shared.dedicated_accounts = false;
  ReferenceComparison comparison(shared);
  comparison.pair("acc-tmain", "acc-mmain");
  const json old = image("img-t0009", "acc-tmain", "from before", "available");
  EXPECT_TRUE(differences(comparison, {{"body", json::array()}}, {{"body", {old}}}).empty());
}

TEST(ReferenceComparison, FieldsAreComparedBothWays) {
  ReferenceComparison comparison(rules());
  const json model = {{"body", {{"id", "img-m0001"}, {"name", "a"}, {"locked", true}}}};
  const json target = {{"body", {{"id", "img-t0001"}, {"name", "a"}, {"storage", "/x"}}}};
  const auto found = differences(comparison, model, target);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "body.locked: the reference answers true, the target nothing");
  EXPECT_NE(found[1].find("body.storage: the target answers \"/x\", a field the reference does not answer"), std::string::npos);
  ComparisonRules declared = rules();
  declared.extra_fields = {"storage", "locked"};
  ReferenceComparison lenient(declared);
  EXPECT_EQ(differences(lenient, model, target).size(), 1u);  // extra fields may be added, not left out
}

TEST(ReferenceComparison, HeadersThatCarryMeaningAreCompared) {
  ReferenceComparison comparison(rules());
  const json model = {{"status", 202},
                      {"headers", {{"content-type", "application/json"},
                                   {"link", "<https://api.a/1.0/images/img-m0001>; rel=snapshot"}}}};
  json target = {{"status", 202},
                 {"headers", {{"content-type", "application/json; charset=utf-8"},
                              {"link", "<https://api.b:8443/1.0/images/img-t0001>; rel=snapshot"},
                              {"date", "today"}}}};
  EXPECT_TRUE(differences(comparison, model, target).empty());
  target["headers"].erase("link");
  EXPECT_EQ(differences(comparison, model, target).size(), 1u);
  target["headers"]["content-type"] = "text/html";
  EXPECT_EQ(differences(comparison, model, target).size(), 2u);
}

TEST(ReferenceComparison, ARegistrationStillRunningMayBeAheadOnEitherSide) {
  ReferenceComparison comparison(rules());
  const json model = {{"body", {{"id", "img-m0001"}, {"status", "creating"}, {"disk_size", 0}}}};
  const json target = {{"body", {{"id", "img-t0001"}, {"status", "available"}, {"disk_size", 2}, {"sha256", "ab"}}}};
  EXPECT_TRUE(differences(comparison, model, target).empty());
  const json deprecated = {{"body", {{"id", "img-t0001"}, {"status", "deprecated"}, {"disk_size", 2}}}};
  EXPECT_FALSE(differences(comparison, model, deprecated).empty());
}

}  // namespace
}  // namespace imagelib::conformance
