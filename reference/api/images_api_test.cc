// SPEC §3 image endpoints through the API: register, list, show, update,
// lock, unlock, destroy, and who may see or change what.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "reference/api/api_testing.h"

namespace imagelib::testing {
namespace {

// Uploads `name` to the account's incoming/ and registers it through the API.
HttpResponse register_upload(ApiFixture& f, const AccountId& account, const std::string& name,
                             nlohmann::json fields = nlohmann::json::object()) {
  f.upload(account, name, sample_disk());
  fields["source"] = name;
  if (!fields.contains("arch")) fields["arch"] = "x86_64";
  return f.call_json(account, "POST", "/1.0/images", fields);
}

std::string registered_id(ApiFixture& f, const AccountId& account, const std::string& name,
                          nlohmann::json fields = nlohmann::json::object()) {
  const HttpResponse response = register_upload(f, account, name, std::move(fields));
  EXPECT_EQ(response.status, 201) << response.body;
  return body_of(response).value("id", "");
}

bool listed(ApiFixture& f, const AccountId& viewer, const std::string& id) {
  const auto list = body_of(f.call(viewer, "GET", "/1.0/images"));
  return std::any_of(list.begin(), list.end(), [&](const auto& image) { return image["id"] == id; });
}

TEST(ImagesApi, RegisterReturns201WithACreatingImageInTheSpecShape) {
  ApiFixture f;
  const HttpResponse response = register_upload(
      f, f.main, "slackware.img",
      {{"arch", "i686"}, {"name", "Slackware"}, {"description", "fresh"}, {"username", "root"},
       {"min_ram", 512}, {"compatibility_mode", true}});
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(response.headers.at("content-type"), "application/json");
  const auto image = body_of(response);
  EXPECT_TRUE(is_valid_id(image["id"].get<std::string>(), kImagePrefix));
  EXPECT_EQ(image["resource_type"], "image");
  EXPECT_EQ(image["url"], "https://api.library.localhost/1.0/images/" + image["id"].get<std::string>());
  EXPECT_EQ(image["status"], "creating");
  EXPECT_EQ(image["name"], "Slackware");
  EXPECT_EQ(image["description"], "fresh");
  EXPECT_EQ(image["username"], "root");
  EXPECT_EQ(image["arch"], "i686");
  EXPECT_EQ(image["min_ram"], 512);
  EXPECT_EQ(image["compatibility_mode"], true);
  EXPECT_EQ(image["public"], false);
  EXPECT_EQ(image["owner"], f.main);
  EXPECT_EQ(image["source"], "slackware.img");
  EXPECT_EQ(image["source_type"], "upload");
  EXPECT_EQ(image["disk_size"], 0);
  EXPECT_EQ(image["virtual_size"], 0);
  EXPECT_EQ(image["created_at"], "2011-05-19T12:00:00Z");
}

TEST(ImagesApi, UrlsUseTheConfiguredApiBase) {
  ApiFixture f(ApiOptions{.api_base = "https://api.example.test"});
  const auto image = body_of(register_upload(f, f.main, "disk.img"));
  EXPECT_EQ(image["url"], "https://api.example.test/1.0/images/" + image["id"].get<std::string>());
}

TEST(ImagesApi, RegistrationHasEndedForARequestAfterTheJobTime) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  EXPECT_EQ(body_of(f.call(f.main, "GET", "/1.0/images/" + id))["status"], "creating");
  f.now = f.now + f.library.options().job_time;
  const auto image = body_of(f.call(f.main, "GET", "/1.0/images/" + id));
  EXPECT_EQ(image["status"], "available");
  EXPECT_GT(image["virtual_size"].get<int>(), 0);
}

TEST(ImagesApi, RegisterWithoutArchIs422) {
  ApiFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  const HttpResponse response =
      f.call_json(f.main, "POST", "/1.0/images", {{"source", "disk.img"}});
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(body_of(response)["error_name"], "unprocessable_entity");
}

TEST(ImagesApi, RegisterOfAFileNotInIncomingIs422) {
  ApiFixture f;
  const HttpResponse response = f.call_json(f.main, "POST", "/1.0/images",
                                            {{"source", "missing.img"}, {"arch", "x86_64"}});
  EXPECT_EQ(response.status, 422);
  EXPECT_NE(error_message(response).find("missing.img"), std::string::npos);
}

TEST(ImagesApi, ListHoldsOwnImagesAndNotOtherAccountsPrivateOnes) {
  ApiFixture f;
  const std::string own = registered_id(f, f.main, "own.img");
  const std::string others = registered_id(f, f.alt, "other.img");
  const HttpResponse response = f.call(f.main, "GET", "/1.0/images");
  ASSERT_EQ(response.status, 200);
  ASSERT_TRUE(body_of(response).is_array());
  EXPECT_TRUE(listed(f, f.main, own));
  EXPECT_FALSE(listed(f, f.main, others));
}

TEST(ImagesApi, ListOfAnAccountWithoutImagesIsAnEmptyArray) {
  ApiFixture f;
  const HttpResponse response = f.call(f.third, "GET", "/1.0/images");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body_of(response), nlohmann::json::array());
}

TEST(ImagesApi, ShowReturnsTheImage) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  const HttpResponse response = f.call(f.main, "GET", "/1.0/images/" + id);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body_of(response)["id"], id);
}

TEST(ImagesApi, AnotherAccountsPrivateImageIs404ExactlyLikeAMissingId) {
  ApiFixture f;
  const std::string id = registered_id(f, f.alt, "private.img");
  const HttpResponse hidden = f.call(f.main, "GET", "/1.0/images/" + id);
  const HttpResponse missing = f.call(f.main, "GET", "/1.0/images/img-zzzzz");
  EXPECT_EQ(hidden.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body_of(hidden)["error_name"], "missing_resource");
  EXPECT_EQ(hidden.body, missing.body);
  // Changing it is refused the same way.
  EXPECT_EQ(f.call_json(f.main, "PUT", "/1.0/images/" + id, {{"name", "x"}}).body, missing.body);
  EXPECT_EQ(f.call(f.main, "DELETE", "/1.0/images/" + id).status, 404);
}

TEST(ImagesApi, UpdateOfAVisibleImageOfAnotherAccountIs403) {
  ApiFixture f;
  const std::string id = registered_id(f, f.alt, "public.img", {{"public", true}});
  f.now = f.now + f.library.options().job_time;
  ASSERT_EQ(f.call(f.main, "GET", "/1.0/images/" + id).status, 200);
  const HttpResponse response = f.call_json(f.main, "PUT", "/1.0/images/" + id, {{"name", "mine"}});
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(body_of(response)["error_name"], "forbidden");
  EXPECT_EQ(f.call(f.main, "PUT", "/1.0/images/" + id + "/lock_resource").status, 403);
  EXPECT_EQ(f.call(f.main, "DELETE", "/1.0/images/" + id).status, 403);
}

TEST(ImagesApi, UpdateChangesTheFieldsAndReturns200) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  f.now = f.now + f.library.options().job_time;
  const HttpResponse response = f.call_json(
      f.main, "PUT", "/1.0/images/" + id,
      {{"name", "Renamed"}, {"description", "d"}, {"username", "u"}, {"arch", "i686"},
       {"min_ram", 2048}, {"public", true}, {"compatibility_mode", true}, {"status", "deprecated"}});
  ASSERT_EQ(response.status, 200) << response.body;
  const auto image = body_of(response);
  EXPECT_EQ(image["name"], "Renamed");
  EXPECT_EQ(image["description"], "d");
  EXPECT_EQ(image["username"], "u");
  EXPECT_EQ(image["arch"], "i686");
  EXPECT_EQ(image["min_ram"], 2048);
  EXPECT_EQ(image["public"], true);
  EXPECT_EQ(image["compatibility_mode"], true);
  EXPECT_EQ(image["status"], "deprecated");
  EXPECT_EQ(body_of(f.call(f.main, "GET", "/1.0/images/" + id)), image);
}

TEST(ImagesApi, UpdateToAStatusOtherThanDeprecatedOrAvailableIs422) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  f.now = f.now + f.library.options().job_time;
  EXPECT_EQ(f.call_json(f.main, "PUT", "/1.0/images/" + id, {{"status", "deleted"}}).status, 422);
}

TEST(ImagesApi, LockAndUnlockReturn200WithTheLockedFlag) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  const HttpResponse locked = f.call(f.main, "PUT", "/1.0/images/" + id + "/lock_resource");
  ASSERT_EQ(locked.status, 200) << locked.body;
  EXPECT_EQ(body_of(locked)["locked"], true);
  const HttpResponse unlocked = f.call(f.main, "PUT", "/1.0/images/" + id + "/unlock_resource", "{}");
  ASSERT_EQ(unlocked.status, 200) << unlocked.body;
  EXPECT_EQ(body_of(unlocked)["locked"], false);
}

TEST(ImagesApi, DestroyReturns202AndTheImageIsGone) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  const HttpResponse response = f.call(f.main, "DELETE", "/1.0/images/" + id);
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(body_of(response)["id"], id);
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/images/" + id).status, 404);
  EXPECT_FALSE(listed(f, f.main, id));
}

TEST(ImagesApi, DestroyOfALockedImageIs409) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  ASSERT_EQ(f.call(f.main, "PUT", "/1.0/images/" + id + "/lock_resource").status, 200);
  const HttpResponse response = f.call(f.main, "DELETE", "/1.0/images/" + id);
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(body_of(response)["error_name"], "resource_conflict");
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/images/" + id).status, 200);
}

TEST(ImagesApi, LockTakesNoFields) {
  ApiFixture f;
  const std::string id = registered_id(f, f.main, "disk.img");
  const HttpResponse response =
      f.call(f.main, "PUT", "/1.0/images/" + id + "/lock_resource", R"({"locked":true})");
  EXPECT_EQ(response.status, 422);
  EXPECT_NE(error_message(response).find("locked"), std::string::npos);
}

TEST(ImagesApi, AnOfficialImagesOwnerIsTheSystemAccountIdInListShowAndServers) {
  ApiFixture f;
  const Image official = *f.library.add_official_image({.name = "Ubuntu", .content = sample_disk()}, f.now);
  const auto is_system = [](const nlohmann::json& owner) {
    return owner.is_string() && owner == kSystemAccount &&
           is_valid_id(owner.get<std::string>(), kAccountPrefix);
  };
  EXPECT_TRUE(is_system(body_of(f.call(f.main, "GET", "/1.0/images/" + official.id))["owner"]));
  std::size_t listed = 0;
  for (const auto& image : body_of(f.call(f.main, "GET", "/1.0/images"))) {
    if (image["id"] == official.id) listed += is_system(image["owner"]) ? 1u : 100u;
  }
  EXPECT_EQ(listed, 1u);
  const auto server =
      body_of(f.call_json(f.main, "POST", "/1.0/servers", {{"image", official.id}}));
  EXPECT_TRUE(is_system(server["image"]["owner"]));
}

}  // namespace
}  // namespace imagelib::testing
