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

TEST(Token, OtherGrantTypesAreUnauthorizedClient) {
  ApiFixture f;
  for (const char* body : {R"({"grant_type":"password"})", R"({"grant_type":"none"})"}) {
    const HttpResponse response = f.request_token(f.clients.at(f.main), body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(body_of(response)["error"], "unauthorized_client") << body;
    EXPECT_EQ(body_of(response)["error_description"],
              "The authenticated client is not authorized to use the access grant type provided.");
  }
}

TEST(Token, AnotherGrantTypeWithWrongCredentialsIsInvalidClient) {
  ApiFixture f;
  ApiClient client = f.clients.at(f.main);
  client.secret += "x";
  EXPECT_EQ(body_of(f.request_token(client, R"({"grant_type":"password"})"))["error"], "invalid_client");
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

// --- bodies as OAuth2 libraries send them (RFC 6749 §4.4.2) ---

constexpr char kForm[] = "application/x-www-form-urlencoded";

// POST `target` with `body` of `content_type` and the client's Basic credentials.
HttpResponse post_token(ApiFixture& f, const std::string& target, const std::string& content_type,
                        const std::string& body) {
  const ApiClient& client = f.clients.at(f.main);
  return f.send({"POST", target,
                 {{"authorization", basic_authorization(client.id, client.secret)},
                  {"content-type", content_type}},
                 body});
}

// A token that opens the API for the main account.
void expect_working_token(ApiFixture& f, const HttpResponse& response) {
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(body_of(response)["token_type"], "Bearer");
  const std::string token = body_of(response)["access_token"];
  const HttpResponse account = f.send({"GET", "/1.0/account", {{"authorization", "Bearer " + token}}, ""});
  ASSERT_EQ(account.status, 200) << account.body;
  EXPECT_EQ(body_of(account)["id"], f.main);
}

TEST(TokenBody, FormBodyGivesAToken) {
  ApiFixture f;
  expect_working_token(f, post_token(f, "/token", kForm, "grant_type=client_credentials"));
}

TEST(TokenBody, FormWithScopeAndCharsetAsGoSendsIt) {
  ApiFixture f;
  expect_working_token(f, post_token(f, "/token", "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
                                     "grant_type=client_credentials&scope=infrastructure"));
}

TEST(TokenBody, EscapedFormValuesAreDecoded) {
  ApiFixture f;
  expect_working_token(f, post_token(f, "/token", kForm, "grant%5Ftype=client%5fcredentials&scope=a+b%20c"));
}

TEST(TokenBody, JsonBodyWithItsContentTypeGivesAToken) {
  ApiFixture f;
  expect_working_token(f, post_token(f, "/token", "application/json; charset=utf-8", kGrant));
}

TEST(TokenBody, TrailingSlashIsTheSameEndpoint) {
  ApiFixture f;
  expect_working_token(f, post_token(f, "/token/", kForm, "grant_type=client_credentials"));
  expect_working_token(f, post_token(f, "/token/", "application/json", kGrant));
  EXPECT_EQ(f.send({"GET", "/token/", {}, ""}).headers.at("allow"), "POST");
}

TEST(TokenBody, OtherGrantTypeInAFormIsUnauthorizedClient) {
  ApiFixture f;
  const HttpResponse response = post_token(f, "/token/", kForm, "grant_type=password&username=a&password=b");
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(body_of(response)["error"], "unauthorized_client");
}

TEST(TokenBody, UnknownParametersAreIgnored) {
  ApiFixture f;  // RFC 6749 §3.2
  expect_working_token(f, post_token(f, "/token", kForm, "grant_type=client_credentials&audience=x"));
  expect_working_token(f, post_token(f, "/token", "application/json",
                                     R"({"grant_type":"client_credentials","colour":"red"})"));
}

TEST(TokenBody, WrongTypeInAJsonBodyIsInvalidRequest) {
  ApiFixture f;
  const HttpResponse response = post_token(f, "/token", "application/json", R"({"grant_type":7})");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(body_of(response)["error"], "invalid_request");
}

TEST(TokenBody, FormWithoutGrantTypeIsInvalidRequest) {
  ApiFixture f;
  // A parameter without a value counts as omitted (RFC 6749 §3.1).
  for (const char* body : {"", "scope=infrastructure", "grant_type", "grant_type=&scope=x"}) {
    const HttpResponse response = post_token(f, "/token", kForm, body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_EQ(body_of(response)["error"], "invalid_request") << body;
  }
}

TEST(TokenBody, OtherContentTypeIsInvalidRequest) {
  ApiFixture f;
  for (const char* type : {"text/plain", "multipart/form-data; boundary=x", "application/jsonx"}) {
    const HttpResponse response = post_token(f, "/token", type, "grant_type=client_credentials");
    EXPECT_EQ(response.status, 400) << type;
    EXPECT_EQ(body_of(response)["error"], "invalid_request") << type;
    EXPECT_NE(body_of(response)["error_description"].get<std::string>().find("application/x-www-form-urlencoded"),
              std::string::npos);
  }
}

// --- credentials in the body (RFC 6749 §2.3.1), without an Authorization header ---

HttpResponse post_form(ApiFixture& f, const std::string& body) {
  return f.send({"POST", "/token/", {{"content-type", kForm}}, body});
}

std::string credentials_form(const ApiClient& client) {
  return "grant_type=client_credentials&client_id=" + client.id + "&client_secret=" + client.secret;
}

TEST(TokenCredentials, ClientIdAndSecretInTheFormGiveAToken) {
  ApiFixture f;
  expect_working_token(f, post_form(f, credentials_form(f.clients.at(f.main))));
}

TEST(TokenCredentials, ClientIdAndSecretInAJsonBodyGiveAToken) {
  ApiFixture f;
  const ApiClient& client = f.clients.at(f.main);
  const nlohmann::json body = {
      {"grant_type", "client_credentials"}, {"client_id", client.id}, {"client_secret", client.secret}};
  expect_working_token(f, f.send({"POST", "/token", {}, body.dump()}));
}

TEST(TokenCredentials, WrongSecretInTheFormIsInvalidClient) {
  ApiFixture f;
  ApiClient client = f.clients.at(f.main);
  client.secret += "x";
  const HttpResponse response = post_form(f, credentials_form(client));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(body_of(response)["error"], "invalid_client");
  EXPECT_EQ(response.headers.count("www-authenticate"), 1u);
}

TEST(TokenCredentials, ClientIdWithoutSecretIsInvalidClient) {
  ApiFixture f;
  const HttpResponse response =
      post_form(f, "grant_type=client_credentials&client_id=" + f.clients.at(f.main).id);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(body_of(response)["error"], "invalid_client");
}

TEST(TokenCredentials, SecretInTheBodyBesideTheHeaderIsInvalidRequest) {
  ApiFixture f;
  const HttpResponse response = post_token(f, "/token", kForm, credentials_form(f.clients.at(f.main)));
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(body_of(response)["error"], "invalid_request");
}

TEST(TokenCredentials, OtherGrantTypeWithCredentialsInTheFormIsUnauthorizedClient) {
  ApiFixture f;
  const ApiClient& client = f.clients.at(f.main);
  const HttpResponse response = post_form(
      f, "grant_type=authorization_code&client_id=" + client.id + "&client_secret=" + client.secret);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(body_of(response)["error"], "unauthorized_client");
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
