// fog_formats: every answer of the reference's endpoints has fog-brightbox's
// format, and answers without it are caught with the field that is wrong.
#include "conformance/fog_formats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "conformance/direct_target.h"

namespace imagelib::conformance {
namespace {

// A session through the reference's ApiService in process; every answer is
// checked as the scenario runner checks it.
class Session {
 public:
  Session() {
    official_ = *target_.add_official_image({.name = "Official", .content = Bytes(65536, 7)});
  }

  nlohmann::json call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr, const std::string& role = "main") {
    const ApiCall call{method, path, body.is_null() ? "" : body.dump(), {}, ApiAuth::kToken};
    auto reply = target_.api(role, call);
    EXPECT_TRUE(reply.ok());
    if (!reply.ok()) return nullptr;
    ++answers_;
    for (const auto& violation : fog_format_violations(method, path, reply->status, reply->body)) {
      ADD_FAILURE() << violation;
    }
    return nlohmann::json::parse(reply->body);
  }

  void advance() { target_.advance(std::chrono::seconds(60)); }
  const std::string& official() const { return official_; }
  int answers() const { return answers_; }

 private:
  DirectTarget target_;
  std::string official_;
  int answers_ = 0;
};

TEST(FogFormats, EveryAnswerOfEveryEndpointOfTheReferenceHasItsFormat) {
  Session s;
  const auto account = s.call("GET", "/1.0/account");
  const std::string me = account["id"];
  s.call("GET", "/1.0/accounts");
  s.call("GET", "/1.0/accounts/" + me);
  s.call("POST", "/1.0/accounts/" + me + "/reset_ftp_password");
  s.call("POST", "/1.0/account/reset_ftp_password");
  s.call("GET", "/1.0/server_types");
  s.call("GET", "/1.0/server_types/typ-01024");
  s.call("GET", "/1.0/images");
  s.call("GET", "/1.0/images/" + s.official());
  const auto server = s.call("POST", "/1.0/servers", {{"image", s.official()}, {"name", "web"}});
  const std::string id = server["id"];
  const auto snapshot = s.call("POST", "/1.0/servers/" + id + "/snapshot");
  const std::string image = snapshot["snapshots"][0]["id"];
  s.call("GET", "/1.0/servers");
  s.call("GET", "/1.0/servers/" + id);
  s.call("GET", "/1.0/images/" + image);
  s.advance();
  s.call("PUT", "/1.0/images/" + image, {{"name", "renamed"}, {"public", true}});
  s.call("PUT", "/1.0/images/" + image + "/lock_resource");
  s.call("PUT", "/1.0/images/" + image + "/unlock_resource");
  s.call("GET", "/1.0/account");  // with a server and images
  s.call("DELETE", "/1.0/servers/" + id);
  s.call("DELETE", "/1.0/images/" + image);
  // Errors have the error format too.
  s.call("GET", "/1.0/servers/" + id);
  s.call("GET", "/1.0/server_types/typ-zzzzz");
  s.call("DELETE", "/1.0/servers/srv-zzzzz", nullptr, "alt");
  EXPECT_EQ(s.answers(), 23);
}

TEST(FogFormats, AServerWithStubsInsteadOfNestedRecordsIsCaught) {
  const nlohmann::json stub = {
      {"id", "srv-abcde"},         {"resource_type", "server"}, {"url", "u"},
      {"name", ""},                {"status", "active"},         {"created_at", "t"},
      {"compatibility_mode", false},
      {"image", {{"id", "img-abcde"}, {"resource_type", "image"}}},
      {"account", {{"id", "acc-abcde"}, {"resource_type", "account"}}},
      {"server_type", {{"id", "typ-01024"}, {"resource_type", "server_type"}}}};
  const auto violations = fog_format_violations("GET", "/1.0/servers/srv-abcde", 200, stub.dump());
  const auto names = [&](const std::string& text) {
    for (const auto& v : violations) {
      if (v.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(names("GET /1.0/servers/{id} (full_server): /: lacks the required field \"hostname\""));
  EXPECT_TRUE(names("/: lacks the required field \"snapshots\""));
  EXPECT_TRUE(names("/image: lacks the required field \"owner\""));
  EXPECT_TRUE(names("/account: lacks the required field \"status\""));
  EXPECT_TRUE(names("/server_type: lacks the required field \"ram\""));
}

TEST(FogFormats, AnOwnerThatIsAWordOrAnObjectIsCaughtInListsAndNested) {
  Session s;
  auto images = s.call("GET", "/1.0/images");
  ASSERT_FALSE(images.empty());
  images[0]["owner"] = "brightbox";
  const auto listed = fog_format_violations("GET", "/1.0/images", 200, images.dump());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_NE(listed[0].find("/0/owner: must match ^acc-"), std::string::npos) << listed[0];
  auto server = s.call("POST", "/1.0/servers", {{"image", s.official()}});
  server["image"]["owner"] = {{"id", "acc-00000"}};
  const auto nested = fog_format_violations("POST", "/1.0/servers", 202, server.dump());
  ASSERT_EQ(nested.size(), 1u);
  EXPECT_NE(nested[0].find("/image/owner: must be of type string"), std::string::npos) << nested[0];
}

TEST(FogFormats, ErrorsNeedTheirShapeAndOAuthAndUnknownAnswersAreLeftAlone) {
  EXPECT_EQ(fog_format_violations("GET", "/1.0/images/img-zzzzz", 404, R"({"error": "x"})").size(), 2u);
  EXPECT_TRUE(fog_format_violations("GET", "/1.0/images/img-zzzzz", 404,
                                    R"({"error_name": "missing_resource", "errors": ["gone"]})")
                  .empty());
  EXPECT_TRUE(fog_format_violations("POST", "/token", 401, R"({"error": "invalid_client"})").empty());
  EXPECT_TRUE(fog_format_violations("GET", "/1.0/zones", 200, "[]").empty());
  EXPECT_EQ(fog_format_violations("GET", "/1.0/account", 200, "not json"),
            std::vector<std::string>{"GET /1.0/account (full_account): the body is not JSON"});
}

TEST(FogFormats, AQueryAndATrailingSlashNameTheSameEndpoint) {
  const auto plain = fog_format_violations("GET", "/1.0/servers/srv-abcde", 200, "{}");
  EXPECT_FALSE(plain.empty());
  EXPECT_EQ(fog_format_violations("GET", "/1.0/servers/srv-abcde/?account_id=acc-abcde", 200, "{}"),
            plain);
}

}  // namespace
}  // namespace imagelib::conformance
