#include "reference/api/api_testing.h"

#include <gtest/gtest.h>

namespace imagelib::testing {
namespace {

std::string base64_encode(const std::string& text) {
  static constexpr char kDigits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  for (std::size_t i = 0; i < text.size(); i += 3) {
    std::uint32_t bits = 0;
    const std::size_t n = std::min<std::size_t>(3, text.size() - i);
    for (std::size_t j = 0; j < 3; ++j) {
      bits = (bits << 8) | (j < n ? static_cast<unsigned char>(text[i + j]) : 0u);
    }
    for (std::size_t j = 0; j < 4; ++j) {
      encoded.push_back(j <= n ? kDigits[(bits >> (18 - 6 * j)) & 63] : '=');
    }
  }
  return encoded;
}

}  // namespace

std::string basic_authorization(const std::string& client_id, const std::string& secret) {
  return "Basic " + base64_encode(client_id + ":" + secret);
}

ApiFixture::ApiFixture(ApiOptions options) : api(library, std::move(options)) {
  for (const AccountId& account : {main, alt, third}) {
    clients.emplace(account, library.create_api_client(account).value());
  }
}

HttpResponse ApiFixture::send(HttpRequest request) { return api.handle(request, now); }

HttpResponse ApiFixture::request_token(const ApiClient& client, const std::string& body) {
  return send({"POST", "/token", {{"authorization", basic_authorization(client.id, client.secret)}},
               body});
}

std::string ApiFixture::token_of(const AccountId& account) {
  auto it = tokens_.find(account);
  if (it != tokens_.end()) return it->second;
  const HttpResponse response =
      request_token(clients.at(account), R"({"grant_type":"client_credentials"})");
  EXPECT_EQ(response.status, 200) << response.body;
  const std::string token = body_of(response).value("access_token", "");
  tokens_[account] = token;
  return token;
}

HttpResponse ApiFixture::call(const AccountId& account, const std::string& method,
                              const std::string& target, const std::string& body) {
  return send({method, target, {{"authorization", "Bearer " + token_of(account)}}, body});
}

HttpResponse ApiFixture::call_json(const AccountId& account, const std::string& method,
                                   const std::string& target, const nlohmann::json& body) {
  return call(account, method, target, body.dump());
}

nlohmann::json body_of(const HttpResponse& response) {
  const auto parsed = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << response.body;
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

std::string error_message(const HttpResponse& response) {
  const nlohmann::json body = body_of(response);
  if (!body.contains("errors") || !body["errors"].is_array() || body["errors"].size() != 1 ||
      !body["errors"][0].is_string()) {
    ADD_FAILURE() << "not an error body: " << response.body;
    return "";
  }
  return body["errors"][0].get<std::string>();
}

}  // namespace imagelib::testing
