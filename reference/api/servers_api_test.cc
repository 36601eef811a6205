// SPEC §3 "Servers and snapshots" through the API.
#include <gtest/gtest.h>

#include "reference/api/api_testing.h"
#include "reference/library/server_types.h"

namespace imagelib::testing {
namespace {

// An available image of `account`, added directly to the library.
std::string available_image(ApiFixture& f, const AccountId& account, bool is_public = false) {
  return f.add_image(account, "disk.img", sample_disk(), is_public).id;
}

std::string created_server(ApiFixture& f, const AccountId& account, const std::string& image) {
  const HttpResponse response =
      f.call_json(account, "POST", "/1.0/servers", {{"image", image}, {"name", "web"}});
  EXPECT_EQ(response.status, 202) << response.body;
  return body_of(response).value("id", "");
}

TEST(ServersApi, CreateReturns202WithTheServer) {
  ApiFixture f;
  const std::string image = available_image(f, f.main);
  const HttpResponse response = f.call_json(
      f.main, "POST", "/1.0/servers", {{"image", image}, {"name", "web"}, {"server_type", "2gb.ssd"}});
  ASSERT_EQ(response.status, 202) << response.body;
  const auto server = body_of(response);
  EXPECT_TRUE(is_valid_id(server["id"].get<std::string>(), kServerPrefix));
  EXPECT_EQ(server["resource_type"], "server");
  EXPECT_EQ(server["name"], "web");
  EXPECT_EQ(server["image"]["id"], image);
  EXPECT_EQ(server["server_type"]["id"], "typ-02048");
}

TEST(ServersApi, CreateWithoutImageIs422NamingTheField) {
  ApiFixture f;
  const HttpResponse response = f.call_json(f.main, "POST", "/1.0/servers", {{"name", "web"}});
  EXPECT_EQ(response.status, 422);
  EXPECT_NE(error_message(response).find("image"), std::string::npos);
}

TEST(ServersApi, CreateFromAnotherAccountsPrivateImageIs404) {
  ApiFixture f;
  const std::string image = available_image(f, f.alt);
  EXPECT_EQ(f.call_json(f.main, "POST", "/1.0/servers", {{"image", image}}).status, 404);
}

TEST(ServersApi, CreateFromAnotherAccountsPublicImageIs202) {
  ApiFixture f;
  const std::string image = available_image(f, f.alt, /*is_public=*/true);
  EXPECT_EQ(f.call_json(f.main, "POST", "/1.0/servers", {{"image", image}}).status, 202);
}

TEST(ServersApi, CreateFromACreatingImageIs409) {
  ApiFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  const auto image = body_of(f.call_json(f.main, "POST", "/1.0/images",
                                         {{"source", "disk.img"}, {"arch", "x86_64"}}));
  const HttpResponse response = f.call_json(f.main, "POST", "/1.0/servers", {{"image", image["id"]}});
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(body_of(response)["error_name"], "resource_conflict");
}

TEST(ServersApi, CreateWithAnUnknownServerTypeIs422) {
  ApiFixture f;
  const std::string image = available_image(f, f.main);
  EXPECT_EQ(f.call_json(f.main, "POST", "/1.0/servers", {{"image", image}, {"server_type", "huge"}})
                .status,
            422);
}

TEST(ServersApi, ListAndShowHoldOnlyTheCallersServers) {
  ApiFixture f;
  const std::string own = created_server(f, f.main, available_image(f, f.main));
  const std::string others = created_server(f, f.alt, available_image(f, f.alt));
  const auto list = body_of(f.call(f.main, "GET", "/1.0/servers"));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], own);
  EXPECT_EQ(body_of(f.call(f.main, "GET", "/1.0/servers/" + own))["id"], own);
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/servers/" + others).status, 404);
}

TEST(ServersApi, SnapshotReturns202TheServerAndALinkToTheNewImage) {
  ApiFixture f;
  const std::string origin = available_image(f, f.main);
  const std::string server = created_server(f, f.main, origin);
  const HttpResponse response = f.call(f.main, "POST", "/1.0/servers/" + server + "/snapshot");
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(body_of(response)["id"], server);
  const std::string link = response.headers.at("link");
  const std::string prefix = "<https://api.library.localhost/1.0/images/";
  ASSERT_EQ(link.rfind(prefix, 0), 0u) << link;
  const std::string suffix = ">; rel=snapshot";
  ASSERT_GT(link.size(), prefix.size() + suffix.size());
  EXPECT_EQ(link.substr(link.size() - suffix.size()), suffix);
  const std::string image_id =
      link.substr(prefix.size(), link.size() - prefix.size() - suffix.size());
  const auto image = body_of(f.call(f.main, "GET", "/1.0/images/" + image_id));
  EXPECT_EQ(image["source_type"], "snapshot");
  EXPECT_EQ(image["status"], "creating");
  EXPECT_EQ(image["public"], false);
  EXPECT_EQ(image["ancestor"]["id"], origin);
  f.now = f.now + f.library.options().job_time;
  EXPECT_EQ(body_of(f.call(f.main, "GET", "/1.0/images/" + image_id))["status"], "available");
}

TEST(ServersApi, SnapshotOfAnotherAccountsServerIs404) {
  ApiFixture f;
  const std::string server = created_server(f, f.alt, available_image(f, f.alt));
  const HttpResponse response = f.call(f.main, "POST", "/1.0/servers/" + server + "/snapshot");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.count("link"), 0u);
}

TEST(ServersApi, RegisterWithServerMakesASnapshotImage) {
  ApiFixture f;
  const std::string server = created_server(f, f.main, available_image(f, f.main));
  const HttpResponse response =
      f.call_json(f.main, "POST", "/1.0/images", {{"server", server}, {"name", "Backup"}});
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_EQ(body_of(response)["source_type"], "snapshot");
  EXPECT_EQ(body_of(response)["name"], "Backup");
}

TEST(ServersApi, ServerJsonNestsItsImageAccountAndServerTypeInFull) {
  ApiFixture f;
  const std::string image = available_image(f, f.main);
  const std::string id = created_server(f, f.main, image);
  const auto server = body_of(f.call(f.main, "GET", "/1.0/servers/" + id));
  EXPECT_EQ(server["hostname"], id);
  EXPECT_EQ(server["fqdn"], id + ".gb1.library.localhost");
  EXPECT_EQ(server["status"], "active");
  EXPECT_EQ(server["started_at"], server["created_at"]);
  EXPECT_TRUE(server["deleted_at"].is_null());
  EXPECT_TRUE(server["image"]["name"].get<std::string>().starts_with("disk.img "));
  EXPECT_EQ(server["image"]["owner"], f.main);
  EXPECT_EQ(server["image"]["status"], "available");
  EXPECT_EQ(server["account"]["id"], f.main);
  EXPECT_EQ(server["account"]["status"], "active");
  EXPECT_EQ(server["server_type"]["handle"], "1gb.ssd");
  EXPECT_EQ(server["server_type"]["ram"], 1024);
  EXPECT_EQ(server["snapshots"], nlohmann::json::array());
  EXPECT_TRUE(server["zone"].is_null());
}

TEST(ServersApi, TheSnapshotAnswerNamesTheNewImageInSnapshots) {
  ApiFixture f;
  const std::string id = created_server(f, f.main, available_image(f, f.main));
  const HttpResponse response = f.call(f.main, "POST", "/1.0/servers/" + id + "/snapshot");
  ASSERT_EQ(response.status, 202) << response.body;
  const auto snapshots = body_of(response)["snapshots"];
  ASSERT_EQ(snapshots.size(), 1u);
  const std::string link = response.headers.at("link");
  EXPECT_NE(link.find("/1.0/images/" + snapshots[0]["id"].get<std::string>() + ">"), std::string::npos);
  EXPECT_EQ(snapshots[0]["status"], "creating");
}

TEST(ServersApi, DestroyIs202ThenTheServerIsGoneAndItsSnapshotsStay) {
  ApiFixture f;
  const std::string id = created_server(f, f.main, available_image(f, f.main));
  const std::string snapshot =
      body_of(f.call(f.main, "POST", "/1.0/servers/" + id + "/snapshot"))["snapshots"][0]["id"];
  const HttpResponse response = f.call(f.main, "DELETE", "/1.0/servers/" + id);
  ASSERT_EQ(response.status, 202) << response.body;
  EXPECT_EQ(body_of(response)["id"], id);
  EXPECT_EQ(body_of(response)["status"], "deleted");
  EXPECT_EQ(body_of(response)["deleted_at"], f.now.iso8601());
  const HttpResponse shown = f.call(f.main, "GET", "/1.0/servers/" + id);
  EXPECT_EQ(shown.status, 404);
  EXPECT_EQ(body_of(shown)["error_name"], "missing_resource");
  EXPECT_EQ(body_of(f.call(f.main, "GET", "/1.0/servers")), nlohmann::json::array());
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/images/" + snapshot).status, 200);
}

TEST(ServersApi, DestroyOfAnotherAccountsServerIs404AndItStays) {
  ApiFixture f;
  const std::string id = created_server(f, f.main, available_image(f, f.main));
  const HttpResponse response = f.call(f.alt, "DELETE", "/1.0/servers/" + id);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(body_of(response)["error_name"], "missing_resource");
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/servers/" + id).status, 200);
}

TEST(ServerTypesApi, ListHoldsEveryTypeAndShowFindsOneByIdOrHandle) {
  ApiFixture f;
  const auto listed = body_of(f.call(f.main, "GET", "/1.0/server_types"));
  ASSERT_EQ(listed.size(), server_types().size());
  EXPECT_EQ(listed[1]["id"], "typ-01024");
  EXPECT_EQ(listed[1]["resource_type"], "server_type");
  EXPECT_EQ(listed[1]["url"], "https://api.library.localhost/1.0/server_types/typ-01024");
  const auto by_id = body_of(f.call(f.main, "GET", "/1.0/server_types/typ-01024"));
  EXPECT_EQ(by_id, listed[1]);
  EXPECT_EQ(body_of(f.call(f.main, "GET", "/1.0/server_types/1gb.ssd")), by_id);
  const HttpResponse missing = f.call(f.main, "GET", "/1.0/server_types/typ-zzzzz");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body_of(missing)["error_name"], "missing_resource");
}

}  // namespace
}  // namespace imagelib::testing
