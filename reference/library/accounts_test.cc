// SPEC §3 "FTP login (accounts)" and API clients.
#include <gtest/gtest.h>

#include "reference/library/json.h"
#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

TEST(Accounts, BeforeAnyResetEveryFtpLoginFails) {
  LibraryFixture f;
  EXPECT_EQ(f.library.check_ftp_login(f.main, "").code(), ErrorCode::kLoginIncorrect);
  EXPECT_EQ(f.library.check_ftp_login(f.main, "anything").code(), ErrorCode::kLoginIncorrect);
}

TEST(Accounts, ResetShowsANewPasswordThatLogsIn) {
  LibraryFixture f;
  auto account = f.library.reset_ftp_password(f.main, f.main);
  ASSERT_TRUE(account.ok());
  ASSERT_TRUE(account->ftp_password.has_value());
  EXPECT_GE(account->ftp_password->size(), 12u);
  EXPECT_TRUE(f.library.check_ftp_login(f.main, *account->ftp_password).ok());
}

TEST(Accounts, ResetMakesTheOldPasswordFail) {
  LibraryFixture f;
  const std::string first = *f.library.reset_ftp_password(f.main, f.main)->ftp_password;
  const std::string second = *f.library.reset_ftp_password(f.main, f.main)->ftp_password;
  EXPECT_NE(first, second);
  EXPECT_EQ(f.library.check_ftp_login(f.main, first).code(), ErrorCode::kLoginIncorrect);
  EXPECT_TRUE(f.library.check_ftp_login(f.main, second).ok());
}

TEST(Accounts, PasswordIsShownOnlyInTheResetResponse) {
  LibraryFixture f;
  auto reset = f.library.reset_ftp_password(f.main, f.main);
  const ApiJsonContext context{"https://api.test", "ftp.example", "gb1.test"};
  const auto reset_json = account_json(f.library.view_account(*reset), context, true);
  EXPECT_EQ(reset_json["library_ftp_password"], *reset->ftp_password);
  EXPECT_EQ(reset_json["library_ftp_user"], f.main);
  auto shown = f.library.show_account(f.main, f.main);
  ASSERT_TRUE(shown.ok());
  EXPECT_FALSE(shown->ftp_password.has_value());
  EXPECT_TRUE(
      account_json(f.library.view_account(*shown), context, false)["library_ftp_password"].is_null());
}

TEST(Accounts, ANewPasswordDoesNotLogIntoAnotherAccount) {
  LibraryFixture f;
  const std::string password = *f.library.reset_ftp_password(f.main, f.main)->ftp_password;
  EXPECT_EQ(f.library.check_ftp_login(f.alt, password).code(), ErrorCode::kLoginIncorrect);
  EXPECT_EQ(f.library.check_ftp_login("acc-zzzzz", password).code(), ErrorCode::kLoginIncorrect);
}

TEST(Accounts, AnotherAccountCannotResetOrSeeThePassword) {
  LibraryFixture f;
  EXPECT_EQ(f.library.reset_ftp_password(f.alt, f.main).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(f.library.show_account(f.alt, f.main).status().code(), ErrorCode::kNotFound);
}

TEST(ApiClients, AuthenticateWithTheRightSecretOnly) {
  LibraryFixture f;
  auto client = f.library.create_api_client(f.main);
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(is_valid_id(client->id, kClientPrefix));
  auto account = f.library.authenticate_client(client->id, client->secret);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(*account, f.main);
  EXPECT_EQ(f.library.authenticate_client(client->id, "wrong").status().code(),
            ErrorCode::kUnauthorized);
  EXPECT_EQ(f.library.authenticate_client("cli-00000", client->secret).status().code(),
            ErrorCode::kUnauthorized);
}

TEST(ApiClients, GivenIdsAndSecretsAreKeptAndDuplicatesRefused) {
  LibraryFixture f;
  auto client = f.library.create_api_client(f.main, "cli-main1", "s3cret");
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE(f.library.authenticate_client("cli-main1", "s3cret").ok());
  EXPECT_EQ(f.library.create_api_client(f.alt, "cli-main1").status().code(), ErrorCode::kConflict);
  EXPECT_EQ(f.library.create_api_client(f.alt, "bad").status().code(), ErrorCode::kUnprocessable);
  EXPECT_EQ(f.library.create_api_client("acc-nope0").status().code(), ErrorCode::kNotFound);
}

TEST(Accounts, GivenAccountIdsAreValidatedAndUnique) {
  LibraryFixture f;
  EXPECT_TRUE(f.library.create_account("x", "acc-main1").ok());
  EXPECT_EQ(f.library.create_account("y", "acc-main1").status().code(), ErrorCode::kConflict);
  EXPECT_EQ(f.library.create_account("y", "img-main1").status().code(), ErrorCode::kUnprocessable);
}

}  // namespace
}  // namespace imagelib::testing
