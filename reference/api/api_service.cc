#include "reference/api/api_service.h"

#include <exception>
#include <utility>

#include "reference/api/auth_headers.h"
#include "reference/api/handlers.h"
#include "reference/api/request_json.h"
#include "reference/api/responses.h"
#include "reference/api/routes.h"

namespace imagelib {
namespace {

// 403 unless every `account_id` query parameter names the caller's account.
Status check_account_scope(const api::Target& target, const AccountId& caller) {
  auto [first, last] = target.query.equal_range("account_id");
  for (auto it = first; it != last; ++it) {
    if (it->second != caller) {
      return Status(ErrorCode::kForbidden,
                    "account_id " + it->second + " is not the account of this access token");
    }
  }
  return {};
}

// Endpoints read a body only on POST and PUT.
bool takes_body(std::string_view method) { return method == "POST" || method == "PUT"; }

HttpResponse call_endpoint(api::Endpoint endpoint, const api::Call& call) {
  using api::Endpoint;
  switch (endpoint) {
    case Endpoint::kListImages: return api::list_images(call);
    case Endpoint::kCreateImage: return api::create_image(call);
    case Endpoint::kShowImage: return api::show_image(call);
    case Endpoint::kUpdateImage: return api::update_image(call);
    case Endpoint::kDestroyImage: return api::destroy_image(call);
    case Endpoint::kLockImage: return api::set_image_lock(call, true);
    case Endpoint::kUnlockImage: return api::set_image_lock(call, false);
    case Endpoint::kListServers: return api::list_servers(call);
    case Endpoint::kCreateServer: return api::create_server(call);
    case Endpoint::kShowServer: return api::show_server(call);
    case Endpoint::kSnapshotServer: return api::snapshot_server(call);
    case Endpoint::kDestroyServer: return api::destroy_server(call);
    case Endpoint::kListServerTypes: return api::list_server_types(call);
    case Endpoint::kShowServerType: return api::show_server_type(call);
    case Endpoint::kShowOwnAccount: return api::show_own_account(call);
    case Endpoint::kResetOwnFtpPassword: return api::reset_ftp_password(call, /*own_account=*/true);
    case Endpoint::kListAccounts: return api::list_accounts(call);
    case Endpoint::kShowAccount: return api::show_account(call);
    case Endpoint::kResetFtpPassword: return api::reset_ftp_password(call, /*own_account=*/false);
    case Endpoint::kToken: break;  // answered before authentication, in dispatch()
  }
  return api::error_response(Status(ErrorCode::kInternal, "endpoint without a handler"));
}

}  // namespace

ApiService::ApiService(Library& library, ApiOptions options)
    : library_(library),
      options_(std::move(options)),
      tokens_(SecretGenerator(library.secret_key(), "api-tokens"), options_.token_lifetime,
              library.options().mutation) {}

namespace {

// The parsers catch their exceptions where they arise; this is the last
// guard so that a transport always gets an answer (tests assert it is never used).
template <typename Answer>
HttpResponse guarded(Answer answer) {
  try {
    return answer();
  } catch (const std::exception& error) {
    return api::error_response(Status(ErrorCode::kInternal, error.what()));
  }
}

}  // namespace

HttpResponse ApiService::handle(const HttpRequest& request, Timestamp at) {
  return guarded([&] {
    auto admitted = admit(request, at);
    if (auto* refused = std::get_if<HttpResponse>(&admitted)) return std::move(*refused);
    return handle(std::get<Admitted>(admitted), at);
  });
}

HttpResponse ApiService::handle(const Admitted& call, Timestamp at) {
  return guarded([&] {
    library_.run_jobs_until(at);
    if (call.route.endpoint == api::Endpoint::kToken) return api::issue_token(tokens_, call.caller, at);
    return call_endpoint(call.route.endpoint,
                         api::Call{library_, options_, call.caller, call.route.id, call.body, at});
  });
}

std::variant<HttpResponse, ApiService::Admitted> ApiService::admit(const HttpRequest& request,
                                                                   Timestamp at) const {
  if (request.body.size() > options_.max_body_bytes) {
    return api::http_error_response(413, "payload_too_large",
                                    "the body has " + std::to_string(request.body.size()) +
                                        " bytes; the limit is " +
                                        std::to_string(options_.max_body_bytes));
  }
  auto target = api::parse_target(request.target);
  if (!target.ok()) return api::error_response(target.status());
  const api::RouteResult routed = api::route(request.method, target->path);
  if (!routed.match) {
    if (routed.allow.empty()) {
      return api::error_response(Status(ErrorCode::kNotFound, "no endpoint at " + target->path));
    }
    HttpResponse response = api::http_error_response(
        405, "method_not_allowed", request.method + " is not allowed on " + target->path);
    response.headers["allow"] = routed.allow;
    return response;
  }
  if (routed.match->endpoint == api::Endpoint::kToken) {
    auto judged = api::judge_token_request(library_, request);
    if (auto* refused = std::get_if<HttpResponse>(&judged)) return std::move(*refused);
    return Admitted{*routed.match, std::get<AccountId>(judged), nlohmann::json::object()};
  }

  auto token = api::bearer_token(request.headers);
  if (!token.ok()) return api::error_response(token.status());
  auto caller = tokens_.account_of(*token, at);
  if (!caller.ok()) return api::error_response(caller.status());
  if (Status scope = check_account_scope(*target, *caller); !scope.ok()) {
    return api::error_response(scope);
  }
  auto body = takes_body(request.method) ? api::parse_object_body(request.body)
                                         : Result<nlohmann::json>(nlohmann::json::object());
  if (!body.ok()) return api::error_response(body.status());
  return Admitted{*routed.match, *caller, std::move(*body)};
}

}  // namespace imagelib
