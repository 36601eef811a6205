// ApiService::admit(): the requests the core refuses before acting, each
// answered exactly as handle() answers it and with no state changed (so a
// deployment need not journal them, SPEC §6), and the requests it admits.
#include <gtest/gtest.h>

#include "reference/api/api_testing.h"

namespace imagelib::testing {
namespace {

constexpr char kGrant[] = R"({"grant_type":"client_credentials"})";

// The whole state a request could change: the Library's and the tokens held.
std::string state_of(ApiFixture& f) {
  std::string state = f.library.dump_state();
  for (const TokenStore::Held& held : f.api.tokens().held()) state += "\n" + held.token + " " + held.account;
  return state;
}

HttpRequest with_token(ApiFixture& f, HttpRequest request) {
  request.headers["authorization"] = "Bearer " + f.token_of(f.main);
  return request;
}

TEST(Admission, EveryRefusalIsHandlesAnswerAndChangesNothing) {
  ApiFixture f;
  const ApiClient& client = f.clients.at(f.main);
  const std::string nested = std::string(200, '[') + std::string(200, ']');
  const std::vector<HttpRequest> refused = {
      {"GET", "/1.0/images", {}, ""},                                         // no token
      {"GET", "/1.0/images", {{"authorization", "Bearer not-a-token"}}, ""},  // unknown token
      {"GET", "/no/such/endpoint", {}, ""},
      {"PATCH", "/1.0/images", {}, ""},
      {"GET", "relative", {}, ""},
      {"POST", "/token", {{"authorization", basic_authorization(client.id, "wrong")}}, kGrant},
      {"POST", "/token", {{"authorization", basic_authorization(client.id, client.secret)}}, R"({"grant_type":"password"})"},
      {"POST", "/token", {}, "{"},
      with_token(f, {"POST", "/1.0/images", {}, R"({"description": )" + nested + "}"}),  // too deep
      with_token(f, {"POST", "/1.0/images", {}, "{"}),
      with_token(f, {"GET", "/1.0/images?account_id=" + f.alt, {}, ""}),  // another account's
  };
  for (const HttpRequest& request : refused) {
    SCOPED_TRACE(request.method + " " + request.target + " " + request.body.substr(0, 40));
    const std::string before = state_of(f);
    auto admitted = f.api.admit(request, f.now);
    const auto* refusal = std::get_if<HttpResponse>(&admitted);
    ASSERT_NE(refusal, nullptr);
    EXPECT_GE(refusal->status, 400);
    const HttpResponse handled = f.api.handle(request, f.now);
    EXPECT_EQ(handled.status, refusal->status);
    EXPECT_EQ(handled.body, refusal->body);
    EXPECT_EQ(handled.headers, refusal->headers);
    EXPECT_EQ(state_of(f), before);
  }
}

TEST(Admission, WhatMayActIsAdmitted) {
  ApiFixture f;
  const ApiClient& client = f.clients.at(f.main);
  f.upload(f.main, "disk.img", sample_disk());
  const std::vector<HttpRequest> admitted = {
      {"POST", "/token", {{"authorization", basic_authorization(client.id, client.secret)}}, kGrant},
      with_token(f, {"GET", "/1.0/images", {}, ""}),
      with_token(f, {"POST", "/1.0/images", {}, R"({"arch": "x86_64", "source": "disk.img"})"}),
      // Refused by the endpoint, not before it: still admitted (the endpoint decides).
      with_token(f, {"GET", "/1.0/images/img-zzzzz", {}, ""}),
  };
  for (const HttpRequest& request : admitted) {
    SCOPED_TRACE(request.method + " " + request.target);
    EXPECT_TRUE(std::holds_alternative<ApiService::Admitted>(f.api.admit(request, f.now)));
  }
}

}  // namespace
}  // namespace imagelib::testing
