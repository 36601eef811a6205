#include "net/accounts_config.h"

#include <gtest/gtest.h>

namespace imagelib::net {
namespace {

TEST(AccountsConfig, ParsesTheIssueShape) {
  auto config = parse_accounts_config(
      R"({"accounts": [{"id": "acc-main1", "name": "main",
                        "clients": [{"id": "cli-main1", "secret": "s3cret"}]}]})",
      "/tmp");
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  ASSERT_EQ(config->accounts.size(), 1u);
  EXPECT_EQ(config->accounts[0].id, "acc-main1");
  EXPECT_EQ(config->accounts[0].name, "main");
  ASSERT_EQ(config->accounts[0].clients.size(), 1u);
  EXPECT_EQ(config->accounts[0].clients[0].secret, "s3cret");
}

TEST(AccountsConfig, NamesTheBadField) {
  auto missing_name = parse_accounts_config(R"({"accounts": [{"id": "acc-main1"}]})", "/");
  ASSERT_FALSE(missing_name.ok());
  EXPECT_NE(missing_name.status().message().find("accounts[0].name"), std::string::npos);

  auto unknown = parse_accounts_config(R"({"acounts": []})", "/");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("acounts"), std::string::npos);

  EXPECT_FALSE(parse_accounts_config("{not json", "/").ok());
  EXPECT_FALSE(parse_accounts_config(R"({"accounts": [{"name": 3}]})", "/").ok());
}

TEST(AccountsConfig, ResolvesImageFilesAgainstTheBaseDirectory) {
  auto config = parse_accounts_config(
      R"({"official_images": [{"name": "Ubuntu", "file": "u.raw", "min_ram": 512}]})", "/srv/x");
  ASSERT_TRUE(config.ok()) << config.status().to_string();
  EXPECT_EQ(config->official_images[0].file, "/srv/x/u.raw");
  EXPECT_EQ(config->official_images[0].min_ram, 512u);
}

TEST(AccountsConfig, RoundTripsThroughJson) {
  auto config = parse_accounts_config(
      R"({"accounts": [{"id": "acc-main1", "name": "main", "clients": [{"secret": "x"}]}],
          "official_images": [{"name": "Ubuntu", "file": "/a/u.raw", "username": "ubuntu"}]})",
      "/");
  ASSERT_TRUE(config.ok());
  auto again = parse_accounts_config(to_json(*config).dump(), "/");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_json(*again), to_json(*config));
}

TEST(AccountsConfig, DefaultProvisionsTwoAccountsThatAuthenticate) {
  Library library;
  auto clients = provision_library(library, default_accounts_config(), Timestamp{});
  ASSERT_TRUE(clients.ok()) << clients.status().to_string();
  ASSERT_EQ(clients->size(), 2u);
  EXPECT_NE((*clients)[0].account, (*clients)[1].account);
  for (const ProvisionedClient& client : *clients) {
    auto account = library.authenticate_client(client.client, client.secret);
    ASSERT_TRUE(account.ok());
    EXPECT_EQ(*account, client.account);
  }
}

TEST(AccountsConfig, ProvisioningReportsAMissingImageFile) {
  Library library;
  AccountsConfig config;
  config.official_images.push_back(OfficialImageConfig{"Missing", "/nonexistent/disk.raw"});
  EXPECT_FALSE(provision_library(library, config, Timestamp{}).ok());
}

}  // namespace
}  // namespace imagelib::net
