// SPEC §3 "FTP login (accounts)" through the API: showing accounts and
// resetting the FTP password.
#include <gtest/gtest.h>

#include "reference/api/api_testing.h"

namespace imagelib::testing {
namespace {

TEST(AccountsApi, OwnAccountIsShownWithoutPassword) {
  ApiFixture f;
  const HttpResponse response = f.call(f.main, "GET", "/1.0/account");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto account = body_of(response);
  EXPECT_EQ(account["id"], f.main);
  EXPECT_EQ(account["resource_type"], "account");
  EXPECT_EQ(account["library_ftp_host"], f.library.options().ftp_host);
  EXPECT_EQ(account["library_ftp_user"], f.main);
  EXPECT_TRUE(account["library_ftp_password"].is_null());
}

TEST(AccountsApi, ShowByIdReturnsTheCallersAccount) {
  ApiFixture f;
  const HttpResponse response = f.call(f.main, "GET", "/1.0/accounts/" + f.main);
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body_of(response), body_of(f.call(f.main, "GET", "/1.0/account")));
}

TEST(AccountsApi, AnotherAccountIs404) {
  ApiFixture f;
  const HttpResponse response = f.call(f.main, "GET", "/1.0/accounts/" + f.alt);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(body_of(response)["error_name"], "missing_resource");
  EXPECT_EQ(f.call(f.main, "POST", "/1.0/accounts/" + f.alt + "/reset_ftp_password").status, 404);
}

TEST(AccountsApi, ResetFtpPasswordShowsANewPasswordOnceAndItLogsIn) {
  ApiFixture f;
  const HttpResponse response = f.call(f.main, "POST", "/1.0/accounts/" + f.main + "/reset_ftp_password");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto account = body_of(response);
  EXPECT_EQ(account["id"], f.main);
  ASSERT_TRUE(account["library_ftp_password"].is_string());
  const std::string password = account["library_ftp_password"];
  EXPECT_TRUE(f.library.check_ftp_login(f.main, password).ok());
  EXPECT_TRUE(body_of(f.call(f.main, "GET", "/1.0/account"))["library_ftp_password"].is_null());
}

TEST(AccountsApi, SecondResetMakesTheFirstPasswordFail) {
  ApiFixture f;
  const std::string target = "/1.0/accounts/" + f.main + "/reset_ftp_password";
  const std::string first = body_of(f.call(f.main, "POST", target))["library_ftp_password"];
  const std::string second = body_of(f.call(f.main, "POST", target))["library_ftp_password"];
  EXPECT_NE(first, second);
  EXPECT_FALSE(f.library.check_ftp_login(f.main, first).ok());
  EXPECT_TRUE(f.library.check_ftp_login(f.main, second).ok());
}

TEST(AccountsApi, ListHoldsTheCallersAccountOnly) {
  ApiFixture f;
  const auto listed = body_of(f.call(f.main, "GET", "/1.0/accounts"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0], body_of(f.call(f.main, "GET", "/1.0/account")));
}

TEST(AccountsApi, ResetOfTheOwnAccountAnswersAsTheResetById) {
  ApiFixture f;
  const HttpResponse response = f.call(f.main, "POST", "/1.0/account/reset_ftp_password");
  ASSERT_EQ(response.status, 200) << response.body;
  const auto account = body_of(response);
  EXPECT_EQ(account["id"], f.main);
  ASSERT_TRUE(account["library_ftp_password"].is_string());
  EXPECT_TRUE(f.library.check_ftp_login(f.main, account["library_ftp_password"].get<std::string>()).ok());
  auto by_id = body_of(f.call(f.main, "POST", "/1.0/accounts/" + f.main + "/reset_ftp_password"));
  EXPECT_NE(by_id["library_ftp_password"], account["library_ftp_password"]);
  by_id.erase("library_ftp_password");
  auto own = account;
  own.erase("library_ftp_password");
  EXPECT_EQ(by_id, own);
}

TEST(AccountsApi, AccountJsonShowsItsClientsServersImagesAndRam) {
  ApiFixture f;
  const Image image = f.add_image(f.main, "disk.img", sample_disk());
  ASSERT_EQ(f.call_json(f.main, "POST", "/1.0/servers", {{"image", image.id}, {"server_type", "2gb.ssd"}})
                .status,
            202);
  const auto account = body_of(f.call(f.main, "GET", "/1.0/account"));
  EXPECT_EQ(account["url"], "https://api.library.localhost/1.0/accounts/" + f.main);
  EXPECT_EQ(account["status"], "active");
  EXPECT_EQ(account["ram_used"], 2048);
  EXPECT_EQ(account["ram_limit"], f.library.options().ram_limit_mb);
  ASSERT_EQ(account["clients"].size(), 1u);
  EXPECT_EQ(account["clients"][0]["id"], f.clients.at(f.main).id);
  EXPECT_FALSE(account["clients"][0].contains("secret"));
  ASSERT_EQ(account["servers"].size(), 1u);
  EXPECT_EQ(account["servers"][0]["username"], nullptr);
  ASSERT_EQ(account["images"].size(), 1u);
  EXPECT_EQ(account["images"][0]["id"], image.id);
  EXPECT_EQ(account["owner"]["id"], "usr-" + f.main.substr(4));
  EXPECT_EQ(account["users"], nlohmann::json::array({account["owner"]}));
}

}  // namespace
}  // namespace imagelib::testing
