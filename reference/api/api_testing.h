// Test helpers for the API core: a LibraryFixture behind an ApiService, an
// API client per account, and short-hand requests. Tests only.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "reference/api/api_service.h"
#include "reference/library/testing.h"

namespace imagelib::testing {

std::string basic_authorization(const std::string& client_id, const std::string& secret);

class ApiFixture : public LibraryFixture {
 public:
  explicit ApiFixture(ApiOptions options = {});

  // Sends `method target` with `body`, as `account` (a fresh token each
  // fixture, obtained through POST /token), at `now`.
  HttpResponse call(const AccountId& account, const std::string& method, const std::string& target,
                    const std::string& body = "");
  HttpResponse call_json(const AccountId& account, const std::string& method,
                         const std::string& target, const nlohmann::json& body);
  // Sends the request as it is (no Authorization added), at `now`.
  HttpResponse send(HttpRequest request);
  // POST /token with the client's credentials; the raw response.
  HttpResponse request_token(const ApiClient& client, const std::string& body);
  // A valid token of `account`, issued at `now` (once per account).
  std::string token_of(const AccountId& account);

  ApiService api;
  std::map<AccountId, ApiClient> clients;

 private:
  std::map<AccountId, std::string> tokens_;
};

// The parsed body; a test failure (and null) when it is not JSON.
nlohmann::json body_of(const HttpResponse& response);
// The single message of an error body {"error_name", "errors": [message]}.
std::string error_message(const HttpResponse& response);

}  // namespace imagelib::testing
