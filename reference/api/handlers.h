// The endpoint handlers of the API: each turns one authenticated call into
// Library operations and a response. Routing, authentication and body
// parsing have been done by ApiService (api_service.cc). Used by ApiService
// only. Grouped by resource: image_handlers.cc, server_handlers.cc,
// server_type_handlers.cc, account_handlers.cc; POST /token is token_handler.cc.
#pragma once

#include <variant>

#include <string>

#include <nlohmann/json.hpp>

#include "reference/api/api_service.h"
#include "reference/api/responses.h"
#include "reference/api/token_store.h"
#include "reference/base/timestamp.h"
#include "reference/library/json.h"
#include "reference/library/library.h"

namespace imagelib::api {

// One authenticated call.
struct Call {
  Library& library;
  const ApiOptions& options;
  const AccountId& caller;
  const std::string& id;       // the {id} of the path, or empty
  const nlohmann::json& body;  // a JSON object; {} for GET and DELETE
  Timestamp at;
};

// What the JSON of servers and accounts needs from the deployment.
ApiJsonContext json_context(const Call& call);

// The error response for a failed `result`, else `status` with to_json(value).
template <typename T, typename ToJson>
HttpResponse result_response(const Result<T>& result, int status, ToJson to_json) {
  if (!result.ok()) return error_response(result.status());
  return json_response(status, to_json(result.value()));
}

HttpResponse list_images(const Call& call);
HttpResponse create_image(const Call& call);
HttpResponse show_image(const Call& call);
HttpResponse update_image(const Call& call);
HttpResponse destroy_image(const Call& call);
HttpResponse set_image_lock(const Call& call, bool locked);

HttpResponse list_servers(const Call& call);
HttpResponse create_server(const Call& call);
HttpResponse show_server(const Call& call);
HttpResponse snapshot_server(const Call& call);
HttpResponse destroy_server(const Call& call);

HttpResponse list_server_types(const Call& call);
HttpResponse show_server_type(const Call& call);

HttpResponse show_own_account(const Call& call);
HttpResponse show_account(const Call& call);
HttpResponse list_accounts(const Call& call);
// POST /1.0/accounts/{id}/reset_ftp_password, and with `own_account`
// POST /1.0/account/reset_ftp_password (the caller's account).
HttpResponse reset_ftp_password(const Call& call, bool own_account);

// POST /token: client credentials in, a bearer token out (OAuth error
// shape). First the request is judged, changing nothing: the refusal of one
// that gets no token, or the account to issue one to; then issue_token.
std::variant<HttpResponse, AccountId> judge_token_request(const Library& library,
                                                          const HttpRequest& request);
HttpResponse issue_token(TokenStore& tokens, const AccountId& account, Timestamp at);

}  // namespace imagelib::api
