// The request errors of the API core: routing (404, 405), body size (413),
// JSON syntax (400), form bodies of POST /token (400 invalid_request), field
// types and names (422), account scoping (403).
#include <gtest/gtest.h>

#include "reference/api/api_testing.h"
#include "reference/api/form_urlencoded.h"
#include "reference/api/request_json.h"

namespace imagelib::testing {
using api::kMaxJsonDepth;
namespace {

void expect_error(const HttpResponse& response, int status, const std::string& error_name) {
  EXPECT_EQ(response.status, status) << response.body;
  EXPECT_EQ(response.headers.at("content-type"), "application/json");
  EXPECT_EQ(body_of(response)["error_name"], error_name) << response.body;
  EXPECT_FALSE(error_message(response).empty());
}

// Sends `body` as a registration of an uploaded "disk.img".
HttpResponse register_with(ApiFixture& f, const std::string& body) {
  f.upload(f.main, "disk.img", sample_disk());
  return f.call(f.main, "POST", "/1.0/images", body);
}

void expect_unprocessable_naming(const HttpResponse& response, const std::string& field) {
  expect_error(response, 422, "unprocessable_entity");
  EXPECT_NE(error_message(response).find("'" + field + "'"), std::string::npos) << response.body;
}

// --- routing ---

TEST(Routing, UnknownPathIs404) {
  ApiFixture f;
  expect_error(f.call(f.main, "GET", "/1.0/volumes"), 404, "missing_resource");
  expect_error(f.call(f.main, "GET", "/1.0/images/img-aaaaa/extra"), 404, "missing_resource");
  expect_error(f.call(f.main, "GET", "/"), 404, "missing_resource");
}

TEST(Routing, WrongMethodOnAKnownPathIs405WithAllow) {
  ApiFixture f;
  const HttpResponse response = f.call(f.main, "PATCH", "/1.0/images");
  expect_error(response, 405, "method_not_allowed");
  EXPECT_EQ(response.headers.at("allow"), "GET, POST");
  EXPECT_EQ(f.call(f.main, "POST", "/1.0/images/img-aaaaa").headers.at("allow"), "GET, PUT, DELETE");
  EXPECT_EQ(f.call(f.main, "GET", "/token").headers.at("allow"), "POST");
}

TEST(Routing, OneTrailingSlashIsTheSamePath) {
  ApiFixture f;
  const HttpResponse plain = f.call(f.main, "GET", "/1.0/images");
  const HttpResponse slashed = f.call(f.main, "GET", "/1.0/images/");
  EXPECT_EQ(slashed.status, 200) << slashed.body;
  EXPECT_EQ(slashed.body, plain.body);
  EXPECT_EQ(f.call(f.main, "PATCH", "/1.0/images/").headers.at("allow"), "GET, POST");
  expect_error(f.call(f.main, "GET", "/1.0/images//"), 404, "missing_resource");
  expect_error(f.call(f.main, "GET", "/1.0/images/img-aaaaa/extra/"), 404, "missing_resource");
}

TEST(Routing, TargetThatIsNotAnAbsolutePathIs400) {
  ApiFixture f;
  expect_error(f.call(f.main, "GET", "1.0/images"), 400, "bad_request");
}

TEST(Routing, BadPercentEscapeInTheQueryIs400) {
  ApiFixture f;
  expect_error(f.call(f.main, "GET", "/1.0/images?account_id=%zz"), 400, "bad_request");
}

// --- account scoping ---

TEST(AccountScope, AccountIdOfTheTokensAccountIsAccepted) {
  ApiFixture f;
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/images?account_id=" + f.main).status, 200);
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/account?nested=false&account_id=" + f.main).status, 200);
}

TEST(AccountScope, AccountIdOfAnotherAccountIs403) {
  ApiFixture f;
  expect_error(f.call(f.main, "GET", "/1.0/images?account_id=" + f.alt), 403, "forbidden");
  expect_error(f.call(f.main, "GET", "/1.0/images?account_id=" + f.main + "&account_id=" + f.alt),
               403, "forbidden");
}

// --- body size ---

TEST(BodySize, BodyAboveTheLimitIs413) {
  ApiFixture f(ApiOptions{.max_body_bytes = 64});
  const std::string body = R"({"arch":"x86_64","description":")" + std::string(64, 'd') + R"("})";
  expect_error(f.call(f.main, "POST", "/1.0/images", body), 413, "payload_too_large");
}

TEST(BodySize, BodyAtTheLimitIsRead) {
  ApiFixture f(ApiOptions{.max_body_bytes = 64});
  std::string body = R"({"arch":"x86_64","source":"disk.img","name":")";
  body += std::string(64 - body.size() - 2, 'n') + R"("})";
  ASSERT_EQ(body.size(), 64u);
  EXPECT_EQ(register_with(f, body).status, 201);
}

// --- JSON syntax ---

TEST(JsonSyntax, MalformedJsonIs400NamingThePosition) {
  ApiFixture f;
  const HttpResponse response = register_with(f, R"({"arch": x86_64})");
  expect_error(response, 400, "bad_request");
  EXPECT_NE(error_message(response).find("byte 10"), std::string::npos) << response.body;
}

TEST(JsonSyntax, TruncatedJsonIs400) {
  ApiFixture f;
  expect_error(register_with(f, R"({"arch": "x86_64")"), 400, "bad_request");
}

TEST(JsonSyntax, BodyThatIsNotAnObjectIs400) {
  ApiFixture f;
  for (const char* body : {"[]", "\"x86_64\"", "42", "null", "true"}) {
    expect_error(register_with(f, body), 400, "bad_request");
  }
}

TEST(JsonSyntax, EmptyBodyOnPostIsAnEmptyObject) {
  ApiFixture f;
  const HttpResponse response = register_with(f, "");
  expect_error(response, 422, "unprocessable_entity");
  EXPECT_NE(error_message(response).find("arch"), std::string::npos);
}

TEST(JsonSyntax, BodyOfAGetIsIgnored) {
  ApiFixture f;
  EXPECT_EQ(f.call(f.main, "GET", "/1.0/images", "not json").status, 200);
}

// `inner` inside `depth` arrays.
std::string nested(int depth, const std::string& inner) {
  const auto levels = static_cast<std::size_t>(depth);
  return std::string(levels, '[') + inner + std::string(levels, ']');
}

std::string register_body_with_description(const std::string& description) {
  return R"({"arch":"x86_64","source":"disk.img","description":)" + description + "}";
}

TEST(JsonSyntax, BodyNestedBeyondTheLimitIs400AndTakesNothing) {
  ApiFixture f;
  // 65,000 levels under a known field crashed serve (a recursive dump()).
  for (int arrays : {kMaxJsonDepth, 65000}) {
    const HttpResponse response = register_with(f, register_body_with_description(nested(arrays, "1")));
    expect_error(response, 400, "bad_request");
    EXPECT_NE(error_message(response).find("nested deeper than 64 levels at byte"), std::string::npos)
        << response.body.substr(0, 200);
  }
  // At the limit (the object and 63 arrays) the body is read: the field is wrong, not the JSON.
  expect_unprocessable_naming(
      register_with(f, register_body_with_description(nested(kMaxJsonDepth - 1, "1"))), "description");
  // Brackets inside strings are text, not nesting.
  const std::string brackets = "\"" + nested(100, "\\\"") + "\"";
  EXPECT_EQ(register_with(f, register_body_with_description(brackets)).status, 201);
}

TEST(JsonSyntax, NumberOutOfRangeIs400) {
  ApiFixture f;
  const HttpResponse response = register_with(f, R"({"arch":"x86_64","source":"disk.img","min_ram":1e999999})");
  expect_error(response, 400, "bad_request");
  EXPECT_NE(error_message(response).find("out of range"), std::string::npos) << response.body;
}

// --- form bodies (application/x-www-form-urlencoded) ---

TEST(FormSyntax, DecodesPairsInOrderWithPlusAndEscapes) {
  auto fields = api::decode_form("a=1&&b=x+y%2Bz&flag&=v&c=%e2%82%ac&");
  ASSERT_TRUE(fields.ok()) << fields.status().message();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const api::FormField& field : *fields) pairs.emplace_back(field.name, field.value);
  EXPECT_EQ(pairs, (std::vector<std::pair<std::string, std::string>>{
                       {"a", "1"}, {"b", "x y+z"}, {"flag", ""}, {"", "v"}, {"c", "\xe2\x82\xac"}}));
  EXPECT_TRUE(api::decode_form("").value().empty());
}

TEST(FormSyntax, BadPercentEscapeNamesItsByte) {
  for (const auto& [text, byte] : std::vector<std::pair<std::string, int>>{
           {"a=%zz", 2}, {"a=%4", 2}, {"a=1&b=%", 6}, {"a%g0=1", 1}, {"a=%4&b=1", 2}}) {
    auto fields = api::decode_form(text);
    ASSERT_FALSE(fields.ok()) << text;
    EXPECT_EQ(fields.status().code(), ErrorCode::kBadRequest);
    EXPECT_NE(fields.status().message().find("byte " + std::to_string(byte)), std::string::npos)
        << text << ": " << fields.status().message();
  }
}

// POST /token with `body` as a form and the main account's Basic credentials.
HttpResponse post_token_form(ApiFixture& f, const std::string& body) {
  const ApiClient& client = f.clients.at(f.main);
  return f.send({"POST", "/token",
                 {{"authorization", basic_authorization(client.id, client.secret)},
                  {"content-type", "application/x-www-form-urlencoded"}},
                 body});
}

void expect_invalid_request(const HttpResponse& response, const std::string& mentions) {
  EXPECT_EQ(response.status, 400) << response.body.substr(0, 200);
  EXPECT_EQ(response.headers.at("content-type"), "application/json");
  EXPECT_EQ(body_of(response)["error"], "invalid_request");
  EXPECT_NE(body_of(response)["error_description"].get<std::string>().find(mentions), std::string::npos)
      << response.body.substr(0, 200);
}

TEST(FormBody, BadPercentEscapeIsInvalidRequest) {
  ApiFixture f;
  for (const char* body : {"grant_type=client%credentials", "grant_type=client_credentials%",
                           "grant_type=%2", "%%%=1", "grant_type=client_credentials&scope=%G1"}) {
    expect_invalid_request(post_token_form(f, body), "percent escape");
  }
}

TEST(FormBody, RepeatedParameterIsInvalidRequest) {
  ApiFixture f;
  expect_invalid_request(post_token_form(f, "grant_type=client_credentials&grant_type=client_credentials"),
                         "'grant_type' is given more than once");
  expect_invalid_request(post_token_form(f, "grant_type=client_credentials&scope=&scope=x"),
                         "'scope' is given more than once");
  // The same name escaped differently is still the same name.
  expect_invalid_request(post_token_form(f, "grant_type=client_credentials&grant%5Ftype=password"),
                         "more than once");
}

TEST(FormBody, HugeBodyIsInvalidRequestBeforeItIsParsed) {
  ApiFixture f;
  // Many distinct parameters, under the service's 1 MiB limit but far above an honest token request.
  std::string body = "grant_type=client_credentials";
  for (int i = 0; body.size() < 900 * 1024; ++i) body += "&p" + std::to_string(i) + "=%zz";
  expect_invalid_request(post_token_form(f, body), "the limit is");
  // Above 1 MiB the service answers 413 before any endpoint, /token included.
  EXPECT_EQ(post_token_form(f, std::string(std::size_t{1} << 21, 'a')).status, 413);
}

TEST(FormBody, BytesThatAreNotUtf8GetAJsonAnswer) {
  ApiFixture f;
  const HttpResponse response = post_token_form(f, "grant_type=client_credentials&%ff%fe=%00&%ff%fe=1");
  expect_invalid_request(response, "more than once");
  EXPECT_TRUE(nlohmann::json::accept(response.body));
}

TEST(FormBody, NulAndControlBytesInTheGrantTypeAreRefused) {
  ApiFixture f;
  const HttpResponse response = post_token_form(f, "grant_type=client_credentials%00");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(body_of(response)["error"], "unauthorized_client");
}

// --- field types and names ---

TEST(JsonFields, StringGivenForABooleanIs422NamingTheField) {
  ApiFixture f;
  expect_unprocessable_naming(
      register_with(f, R"({"arch":"x86_64","source":"disk.img","public":"yes"})"), "public");
}

TEST(JsonFields, NegativeMinRamIs422NamingTheField) {
  ApiFixture f;
  expect_unprocessable_naming(
      register_with(f, R"({"arch":"x86_64","source":"disk.img","min_ram":-1})"), "min_ram");
}

TEST(JsonFields, MinRamAboveUint32Is422) {
  ApiFixture f;
  expect_unprocessable_naming(
      register_with(f, R"({"arch":"x86_64","source":"disk.img","min_ram":4294967296})"), "min_ram");
}

TEST(JsonFields, FractionalMinRamIs422) {
  ApiFixture f;
  expect_unprocessable_naming(
      register_with(f, R"({"arch":"x86_64","source":"disk.img","min_ram":512.5})"), "min_ram");
}

TEST(JsonFields, NumberGivenForAStringIs422NamingTheField) {
  ApiFixture f;
  expect_unprocessable_naming(register_with(f, R"({"arch":64,"source":"disk.img"})"), "arch");
}

TEST(JsonFields, UnknownFieldIs422NamingTheField) {
  ApiFixture f;
  expect_unprocessable_naming(
      register_with(f, R"({"arch":"x86_64","source":"disk.img","colour":"red"})"), "colour");
}

TEST(JsonFields, WrongTypeOnUpdateIs422AndChangesNothing) {
  ApiFixture f;
  const Image image = f.add_image(f.main, "disk.img", sample_disk());
  const HttpResponse response = f.call(f.main, "PUT", "/1.0/images/" + image.id,
                                       R"({"name":"changed","public":"yes"})");
  expect_unprocessable_naming(response, "public");
  EXPECT_EQ(f.library.show_image(f.main, image.id)->name, image.name);
}

TEST(JsonFields, UnknownFieldOnServerCreateIs422) {
  ApiFixture f;
  const Image image = f.add_image(f.main, "disk.img", sample_disk());
  expect_unprocessable_naming(
      f.call(f.main, "POST", "/1.0/servers", R"({"image":")" + image.id + R"(","zone":"gb1-a"})"),
      "zone");
}

TEST(JsonFields, NullForAnOptionalFieldMeansNotGiven) {
  ApiFixture f;
  const HttpResponse response = register_with(
      f, R"({"arch":"x86_64","source":"disk.img","name":null,"description":null,"min_ram":null})");
  ASSERT_EQ(response.status, 201) << response.body;
  EXPECT_TRUE(body_of(response)["min_ram"].is_null());
}

TEST(JsonFields, ZeroMinRamAsTheCliSendsItIsAccepted) {
  ApiFixture f;
  const HttpResponse response =
      register_with(f, R"({"arch":"x86_64","source":"disk.img","min_ram":0,"public":false})");
  EXPECT_EQ(response.status, 201) << response.body;
}

}  // namespace
}  // namespace imagelib::testing
