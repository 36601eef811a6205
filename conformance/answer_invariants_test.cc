#include "conformance/answer_invariants.h"

#include <gtest/gtest.h>

namespace imagelib::conformance {
namespace {

using json = nlohmann::json;

json image(const std::string& id, const std::string& owner, bool is_public, const std::string& status) {
  return {{"id", id},         {"resource_type", "image"}, {"url", "https://api.a/1.0/images/" + id},
          {"owner", owner},   {"public", is_public},      {"official", false},
          {"status", status}, {"disk_size", 0},           {"virtual_size", 0},
          {"created_at", "2011-05-19T12:00:00Z"}};
}

ApiReply json_reply(int status, const json& body) {
  return {status, {{"content-type", "application/json"}}, body.dump()};
}

std::vector<std::string> violations(const ApiCall& call, const ApiReply& reply, AnswerContext context = {}) {
  if (context.caller.empty()) context.caller = "acc-main1";
  AnswerInvariants invariants;
  std::vector<std::string> out;
  invariants.check(call, reply, context, out);
  return out;
}

const ApiCall kList{"GET", "/1.0/images", "", {}, ApiAuth::kToken};

TEST(AnswerInvariants, ACorrectListPasses) {
  const json list = {image("img-mine1", "acc-main1", false, "failed"), image("img-publ1", "acc-other", true, "available")};
  EXPECT_TRUE(violations(kList, json_reply(200, list)).empty());
}

TEST(AnswerInvariants, AListShowsNoPrivateDeprecatedCreatingOrRepeatedImageOfOthers) {
  for (const json& wrong : {image("img-priv1", "acc-other", false, "available"),
                            image("img-depr1", "acc-other", true, "deprecated"),
                            image("img-crea1", "acc-other", true, "creating")}) {
    const auto found = violations(kList, json_reply(200, json::array({wrong})));
    ASSERT_EQ(found.size(), 1u) << wrong.dump();
    EXPECT_EQ(found[0].rfind("invariant image-list-visibility", 0), 0u) << found[0];
  }
  const json mine = image("img-mine1", "acc-main1", false, "available");
  EXPECT_EQ(violations(kList, json_reply(200, json::array({mine, mine}))).size(), 1u);
}

TEST(AnswerInvariants, ShowingAnotherAccountsPrivateImageIsALeak) {
  const ApiCall show{"GET", "/1.0/images/img-priv1", "", {}, ApiAuth::kToken};
  EXPECT_EQ(violations(show, json_reply(200, image("img-priv1", "acc-other", false, "available"))).size(), 1u);
  EXPECT_TRUE(violations(show, json_reply(200, image("img-priv1", "acc-other", true, "deprecated"))).empty());
}

TEST(AnswerInvariants, RecordsKeepTheirShape) {
  json bad = image("img-mine1", "acc-main1", false, "creating");
  bad["disk_size"] = 3;
  bad["created_at"] = "2011-05-19 12:00:00";
  EXPECT_EQ(violations(kList, json_reply(200, json::array({bad}))).size(), 2u);
  json elsewhere = image("img-mine2", "acc-main1", false, "available");
  elsewhere["url"] = "http://internal/1.0/images/img-mine2";
  EXPECT_EQ(violations(kList, json_reply(200, json::array({image("img-mine1", "acc-main1", false, "available"), elsewhere}))).size(), 1u);
}

TEST(AnswerInvariants, HeadersAndErrorBodiesFollowTheContract) {
  ApiReply html = json_reply(200, json::array());
  html.headers["content-type"] = "text/html";
  EXPECT_EQ(violations(kList, html).size(), 1u);
  const ApiReply unauthorized = json_reply(401, {{"error_name", "unauthorized"}, {"errors", {"no token"}}});
  EXPECT_EQ(violations(kList, unauthorized).size(), 1u);  // no WWW-Authenticate
  EXPECT_EQ(violations(kList, json_reply(404, {{"message", "nope"}})).size(), 1u);
  const ApiCall snapshot{"POST", "/1.0/servers/srv-abcde/snapshot", "", {}, ApiAuth::kToken};
  EXPECT_EQ(violations(snapshot, json_reply(202, json::object())).size(), 1u);  // no Link
}

TEST(AnswerInvariants, OnlyAResetShowsTheFtpPassword) {
  const json account = {{"id", "acc-main1"}, {"resource_type", "account"}, {"library_ftp_password", "secret"}};
  const ApiCall reset{"POST", "/1.0/account/reset_ftp_password", "", {}, ApiAuth::kToken};
  EXPECT_TRUE(violations(reset, json_reply(200, account)).empty());
  const ApiCall show{"GET", "/1.0/account", "", {}, ApiAuth::kToken};
  EXPECT_EQ(violations(show, json_reply(200, account)).size(), 1u);
}

TEST(AnswerInvariants, ARegistrationIsCreatingOwnedByTheCallerAndMadeDuringTheCall) {
  const ApiCall post{"POST", "/1.0/images", R"({"arch":"x86_64","source":"a.img","public":true})", {}, ApiAuth::kToken};
  AnswerContext during;
  during.started = Timestamp::from_unix_seconds(1305806400);
  during.ended = during.started;
  EXPECT_TRUE(violations(post, json_reply(201, image("img-new01", "acc-main1", true, "creating")), during).empty());
  // Private though asked public, someone else's, and stamped a day early.
  json wrong = image("img-new01", "acc-other", false, "creating");
  wrong["created_at"] = "2011-05-18T12:00:00Z";
  EXPECT_EQ(violations(post, json_reply(201, wrong), during).size(), 2u);
}

}  // namespace
}  // namespace imagelib::conformance
