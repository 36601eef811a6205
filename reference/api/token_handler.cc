#include <chrono>
#include <utility>

#include "reference/api/auth_headers.h"
#include "reference/api/form_urlencoded.h"
#include "reference/api/handlers.h"
#include "reference/api/request_json.h"

namespace imagelib::api {
namespace {

constexpr std::string_view kGrantType = "client_credentials";
// An honest token request is a few hundred bytes; a larger body is refused
// before it is parsed, well below the 1 MiB of the other endpoints.
constexpr std::size_t kMaxTokenBodyBytes = 16 * 1024;

HttpResponse invalid_client(std::string description) {
  HttpResponse response = oauth_error_response(401, "invalid_client", std::move(description));
  response.headers["www-authenticate"] = "Basic realm=\"api\"";
  return response;
}

HttpResponse invalid_request(std::string description) {
  return oauth_error_response(400, "invalid_request", std::move(description));
}

// The media type of the content-type header, lower-case and without its
// parameters ("application/json; charset=utf-8" → "application/json"); empty
// when there is no such header.
std::string media_type(const std::map<std::string, std::string>& headers) {
  auto it = headers.find("content-type");
  if (it == headers.end()) return "";
  std::string type;
  for (char c : std::string_view(it->second).substr(0, it->second.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    type.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return type;
}

// The body as an object of fields: JSON (application/json, or no content
// type, as fog-brightbox sends it) or a form (application/x-www-form-urlencoded,
// as OAuth2 libraries send it, RFC 6749 §4.4.2). kBadRequest otherwise.
Result<nlohmann::json> parse_token_body(const HttpRequest& request) {
  if (request.body.size() > kMaxTokenBodyBytes) {
    return Status(ErrorCode::kBadRequest, "the token request has " + std::to_string(request.body.size()) +
                                              " bytes; the limit is " + std::to_string(kMaxTokenBodyBytes));
  }
  const std::string type = media_type(request.headers);
  if (type == "application/x-www-form-urlencoded") return parse_form_object(request.body);
  if (type.empty() || type == "application/json") return parse_object_body(request.body);
  return Status(ErrorCode::kBadRequest, "content-type " + type +
                                            " is not accepted: send application/json or "
                                            "application/x-www-form-urlencoded");
}

struct TokenFields {
  std::optional<std::string> grant_type;
  std::optional<std::string> client_id;
  std::optional<std::string> client_secret;
};

// The fields of a token request; other parameters are ignored (RFC 6749
// §3.2), as for a password grant's username and password.
Result<TokenFields> read_token_fields(const nlohmann::json& body) {
  nlohmann::json known = nlohmann::json::object();
  for (const char* name : {"grant_type", "client_id", "client_secret", "scope"}) {
    if (auto it = body.find(name); it != body.end()) known[name] = *it;
  }
  FieldReader fields(known);
  TokenFields token;
  token.grant_type = fields.string("grant_type");
  token.client_id = fields.string("client_id");  // fog sends it beside the header
  token.client_secret = fields.string("client_secret");
  fields.string("scope");  // accepted; every token has one scope
  IMAGELIB_RETURN_IF_ERROR(fields.finish());
  return token;
}

// The client's credentials: the Authorization header when there is one (a
// client_id in the body must then be the same), else client_id and
// client_secret in the body (RFC 6749 §2.3.1). kBadRequest for a request that
// uses both ways, kUnauthorized for missing or malformed credentials.
Result<ClientCredentials> client_credentials(const HttpRequest& request, const TokenFields& fields) {
  if (request.headers.count("authorization") == 0) {
    if (!fields.client_id || !fields.client_secret) {
      return Status(ErrorCode::kUnauthorized,
                    "client credentials are required: Authorization: Basic, or client_id and "
                    "client_secret in the body");
    }
    return ClientCredentials{*fields.client_id, *fields.client_secret};
  }
  if (fields.client_secret) {
    return Status(ErrorCode::kBadRequest,
                  "client_secret in the body and an Authorization header: use one of them (RFC 6749 §2.3)");
  }
  auto credentials = basic_credentials(request.headers);
  if (!credentials.ok()) return credentials.status();
  if (fields.client_id && *fields.client_id != credentials->client_id) {
    return Status(ErrorCode::kUnauthorized, "client_id in the body differs from the Authorization header");
  }
  return credentials;
}

}  // namespace

std::variant<HttpResponse, AccountId> judge_token_request(const Library& library,
                                                          const HttpRequest& request) {
  auto body = parse_token_body(request);
  if (!body.ok()) return invalid_request(body.status().message());
  auto fields = read_token_fields(*body);
  if (!fields.ok()) return invalid_request(fields.status().message());
  auto credentials = client_credentials(request, *fields);
  if (!credentials.ok()) {
    if (credentials.status().code() == ErrorCode::kBadRequest) {
      return invalid_request(credentials.status().message());
    }
    return invalid_client(credentials.status().message());
  }
  auto account = library.authenticate_client(credentials->client_id, credentials->secret);
  if (!account.ok()) return invalid_client("unknown client or wrong secret");

  if (!fields->grant_type) return invalid_request("grant_type is required");
  if (*fields->grant_type != kGrantType) {
    // The real API's answer (RFC 6749 §5.2): the client is known, the grant is not its.
    return oauth_error_response(400, "unauthorized_client",
                                "The authenticated client is not authorized to use the access grant "
                                "type provided.");
  }
  return *account;
}

HttpResponse issue_token(TokenStore& tokens, const AccountId& account, Timestamp at) {
  const TokenStore::Issued issued = tokens.issue(account, at);
  return json_response(
      200, {{"access_token", issued.access_token},
            {"token_type", "Bearer"},
            {"expires_in", std::chrono::duration_cast<std::chrono::seconds>(tokens.lifetime()).count()},
            {"scope", "infrastructure"}});
}

}  // namespace imagelib::api
