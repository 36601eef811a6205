// SPEC §3 "API authentication": POST /token and Bearer tokens, with expiry in
// virtual time.
#include <gtest/gtest.h>

#include <chrono>

#include "reference/api/api_testing.h"

namespace imagelib::testing {
namespace {

constexpr char kGrant[] = R"({"grant_type":"client_credentials"})";

TEST(Token, ClientCredentialsGiveABearerTokenForTwoHours) {
  ApiFixture f;
  const HttpResponse response = f.request_token(f.clients.at(f.main), kGrant);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.headers.at("content-type"), "application/json");
  const auto body = body_of(response);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_EQ(body["expires_in"], 7200);
  EXPECT_EQ(body["scope"], "infrastructure");
  ASSERT_TRUE(body["access_token"].is_string());
  EXPECT_FALSE(body["access_token"].get<std::string>().empty());
}

TEST(Token, ExpiresInFollowsTheConfiguredLifetime) {
  ApiFixture f(ApiOptions{.token_lifetime = std::chrono::minutes(5)});
  EXPECT_EQ(body_of(f.request_token(f.clients.at(f.main), kGrant))["expires_in"], 300);
}

TEST(Token, TheTokenActsForTheClientsAccount) {
  ApiFixture f;
  const HttpResponse response = f.call(f.alt, "GET", "/1.0/account");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body_of(response)["id"], f.alt);
}

TEST(Token, EachRequestGivesADifferentToken) {
  ApiFixture f;
  const auto first = body_of(f.request_token(f.clients.at(f.main), kGrant))["access_token"];
  const auto second = body_of(f.request_token(f.clients.at(f.main), kGrant))["access_token"];
  EXPECT_NE(first, second);
}

TEST(Token, TheSameSeedGivesTheSameTokensAndAnotherSeedOthers) {
  auto first_token = [](std::uint64_t seed) {
    Library library(LibraryOptions{.seed = seed});
    const AccountId account = library.create_account("a").value().id;
    const ApiClient client = library.create_api_client(account).value();
    ApiService api(library);
    const HttpResponse response = api.handle(
        {"POST", "/token", {{"authorization", basic_authorization(client.id, client.secret)}}, kGrant},
        kStart);
    return body_of(response)["access_token"].get<std::string>();
  };
  EXPECT_EQ(first_token(7), first_token(7));
  EXPECT_NE(first_token(7), first_token(8));
}

TEST(Token, WrongSecretIsInvalidClient) {
  ApiFixture f;
  ApiClient client = f.clients.at(f.main);
  client.secret += "x";
  const HttpResponse response = f.request_token(client, kGrant);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(body_of(response)["error"], "invalid_client");
  EXPECT_TRUE(body_of(response)["error_description"].is_string());
  EXPECT_EQ(response.headers.count("www-authenticate"), 1u);
}

TEST(Token, UnknownClientIsInvalidClient) {
  ApiFixture f;
  const HttpResponse response = f.request_token(ApiClient{"cli-zzzzz", "secret", f.main}, kGrant);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(body_of(response)["error"], "invalid_client");
}

TEST(Token, MissingAuthorizationIsInvalidClient) {
  ApiFixture f;
  const HttpResponse response = f.send({"POST", "/token", {}, kGrant});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(body_of(response)["error"], "invalid_client");
}

TEST(Token, BasicCredentialsThatAreNotBase64AreInvalidClient) {
  ApiFixture f;
  const HttpResponse response =
      f.send({"POST", "/token", {{"authorization", "Basic not*base64"}}, kGrant});
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(body_of(response)["error"], "invalid_client");
}

TEST(Token, ClientIdInTheBodyMustMatchTheHeader) {
  ApiFixture f;
  const HttpResponse response = f.request_token(
      f.clients.at(f.main), R"({"grant_type":"client_credentials","client_id":"cli-other"})");
  EXPECT_EQ(response.status, 401);
  const HttpResponse matching = f.request_token(
      f.clients.at(f.main),
      R"({"grant_type":"client_credentials","client_id":")" + f.clients.at(f.main).id + R"("})");
  EXPECT_EQ(matching.status, 200) << matching.body;
}

TEST(Token, OtherGrantTypesAreUnsupported) {
  ApiFixture f;
  for (const char* body : {R"({"grant_type":"password"})", R"({"grant_type":"none"})"}) {
    const HttpResponse response = f.request_token(f.clients.at(f.main), body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(body_of(response)["error"], "unsupported_grant_type") << body;
  }
}

TEST(Token, MissingGrantTypeIsInvalidRequest) {
  ApiFixture f;
  const HttpResponse response = f.request_token(f.clients.at(f.main), "{}");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(body_of(response)["error"], "invalid_request");
}

TEST(Token, MalformedBodyIsInvalidRequest) {
  ApiFixture f;
  const HttpResponse response = f.request_token(f.clients.at(f.main), "{grant_type");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(body_of(response)["error"], "invalid_request");
}

// --- bearer tokens on the other endpoints ---

void expect_unauthorized(const HttpResponse& response) {
  EXPECT_EQ(response.status, 401) << response.body;
  EXPECT_EQ(body_of(response)["error_name"], "unauthorized");
  EXPECT_EQ(body_of(response)["errors"].size(), 1u);
  ASSERT_EQ(response.headers.count("www-authenticate"), 1u);
  EXPECT_EQ(response.headers.at("www-authenticate"), "Bearer");
}

TEST(Bearer, MissingAuthorizationIsUnauthorized) {
  ApiFixture f;
  expect_unauthorized(f.send({"GET", "/1.0/images", {}, ""}));
}

TEST(Bearer, BasicCredentialsDoNotOpenTheApi) {
  ApiFixture f;
  const ApiClient& client = f.clients.at(f.main);
  expect_unauthorized(f.send(
      {"GET", "/1.0/images", {{"authorization", basic_authorization(client.id, client.secret)}}, ""}));
}

TEST(Bearer, UnknownTokenIsUnauthorized) {
  ApiFixture f;
  expect_unauthorized(f.send({"GET", "/1.0/images", {{"authorization", "Bearer nosuchtoken"}}, ""}));
}

TEST(Bearer, SchemeIsCaseInsensitive) {
  ApiFixture f;
  const std::string token = f.token_of(f.main);
  EXPECT_EQ(f.send({"GET", "/1.0/images", {{"authorization", "bearer " + token}}, ""}).status, 200);
}

TEST(Bearer, TokenWorksUntilJustBeforeItsLifetimeEnds) {
  ApiFixture f;
  f.token_of(f.main);  // issued now
  f.now = f.now + std::chrono::hours(2) - std::chrono::microseconds(1);
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/images").status, 200);
}

TEST(Bearer, TokenIsRefusedOnceExpiredInVirtualTime) {
  ApiFixture f;
  ASSERT_EQ(f.call(f.main, "GET", "/1.0/images").status, 200);
  f.now = f.now + std::chrono::hours(2);
  expect_unauthorized(f.call(f.main, "GET", "/1.0/images"));
}

TEST(Bearer, ExpiredTokenStaysRefusedAfterNewTokensAreIssued) {
  ApiFixture f;
  const std::string old_token = f.token_of(f.main);
  f.now = f.now + std::chrono::hours(3);
  // A new token for another account makes the store forget expired ones.
  ASSERT_EQ(f.call(f.alt, "GET", "/1.0/images").status, 200);
  expect_unauthorized(
      f.send({"GET", "/1.0/images", {{"authorization", "Bearer " + old_token}}, ""}));
}

}  // namespace
}  // namespace imagelib::testing
