#include <chrono>

#include "reference/api/auth_headers.h"
#include "reference/api/handlers.h"
#include "reference/api/request_json.h"

namespace imagelib::api {
namespace {

constexpr std::string_view kGrantType = "client_credentials";

HttpResponse invalid_client(std::string description) {
  HttpResponse response = oauth_error_response(401, "invalid_client", std::move(description));
  response.headers["www-authenticate"] = "Basic realm=\"api\"";
  return response;
}

}  // namespace

HttpResponse issue_token(Library& library, TokenStore& tokens, const HttpRequest& request,
                         Timestamp at) {
  auto credentials = basic_credentials(request.headers);
  if (!credentials.ok()) return invalid_client(credentials.status().message());
  auto account = library.authenticate_client(credentials->client_id, credentials->secret);
  if (!account.ok()) return invalid_client("unknown client or wrong secret");

  auto body = parse_object_body(request.body);
  if (!body.ok()) return oauth_error_response(400, "invalid_request", body.status().message());
  FieldReader fields(*body);
  const auto grant_type = fields.string("grant_type");
  const auto body_client_id = fields.string("client_id");  // fog sends it beside the header
  fields.string("scope");                                   // accepted; every token has one scope
  if (Status checked = fields.finish(); !checked.ok()) {
    return oauth_error_response(400, "invalid_request", checked.message());
  }
  if (body_client_id && *body_client_id != credentials->client_id) {
    return invalid_client("client_id in the body differs from the Authorization header");
  }
  if (!grant_type) return oauth_error_response(400, "invalid_request", "grant_type is required");
  if (*grant_type != kGrantType) {
    return oauth_error_response(400, "unsupported_grant_type",
                                "only grant_type client_credentials is supported");
  }

  const TokenStore::Issued issued = tokens.issue(*account, at);
  return json_response(
      200, {{"access_token", issued.access_token},
            {"token_type", "Bearer"},
            {"expires_in", std::chrono::duration_cast<std::chrono::seconds>(tokens.lifetime()).count()},
            {"scope", "infrastructure"}});
}

}  // namespace imagelib::api
