// ApiService: the HTTP API of the image library (SPEC §3) without I/O.
// A transport (the simulator, or net/ with Boost.Beast) parses an HTTP
// request, calls handle() with the virtual or real time, and serialises the
// response. Callers: simulator/, net/, conformance/, tools/ and tests.
//
// Endpoints (every response has `content-type: application/json`):
//   POST   /token                               OAuth2 client credentials → 200
//   GET    /1.0/images                          images listed for the caller → 200
//   POST   /1.0/images                          register an upload (or `server` snapshot) → 201
//   GET    /1.0/images/{id}                     → 200
//   PUT    /1.0/images/{id}                     update (owner) → 200
//   DELETE /1.0/images/{id}                     destroy (owner) → 202
//   PUT    /1.0/images/{id}/lock_resource       → 200
//   PUT    /1.0/images/{id}/unlock_resource     → 200
//   GET    /1.0/servers                         → 200
//   POST   /1.0/servers                         → 202
//   GET    /1.0/servers/{id}                    → 200
//   DELETE /1.0/servers/{id}                    destroy (owner) → 202, the server "deleted"
//   POST   /1.0/servers/{id}/snapshot           → 202, the server (its `snapshots` name the new
//                                                 image), and
//                                                 `link: <{api_base}/1.0/images/img-x>; rel=snapshot`
//   GET    /1.0/server_types                    → 200
//   GET    /1.0/server_types/{id}               by id or handle → 200
//   GET    /1.0/account                         the caller's account → 200
//   POST   /1.0/account/reset_ftp_password      the caller's account, as below → 200
//   GET    /1.0/accounts                        the accounts the caller acts for: its own → 200
//   GET    /1.0/accounts/{id}                   → 200
//   POST   /1.0/accounts/{id}/reset_ftp_password → 200, the account with its new password
//
// Bodies are fog-brightbox's formats (reference/library/json.h): "Full" on
// show, create, update and destroy, "Collected" items in lists.
//
// Authentication: POST /token (or /token/) takes `Authorization: Basic
// base64(id:secret)` of an ApiClient, or client_id and client_secret in the
// body, and the body {"grant_type":"client_credentials"} as JSON or as
// application/x-www-form-urlencoded (token_handler.cc); errors
// there use the OAuth shape {"error": ..., "error_description": ...}
// (401 invalid_client, 400 unauthorized_client / invalid_request). Every
// other endpoint needs `Authorization: Bearer <token>`; a missing, unknown or
// expired token → 401 with `www-authenticate: Bearer`. Tokens come from the
// seeded stream Rng(library.options().seed).stream("api-tokens") and expire
// `token_lifetime` after they were issued, in the time given to handle().
// `?account_id=` is accepted on every endpoint and must name the token's
// account (else 403).
//
// Errors: {"error_name": ..., "errors": [message]} with the status of the
// error table (reference/base/error_table.h). Two statuses are HTTP-only and
// have no ErrorCode (the Library never produces them), so they are written
// here: 405 "method_not_allowed" with an `allow` header, and 413
// "payload_too_large" for a body above max_body_bytes. Malformed JSON or a
// body that is not an object → 400 bad_request naming the parse position;
// wrong types, out-of-range numbers and unknown fields → 422 naming the field.
// For POST/PUT an empty body means {}; GET and DELETE bodies are ignored.
// A JSON `null` for an optional field means "not given".
//
// Jobs: before handling each request, handle() calls
// library.run_jobs_until(at), so every registration or snapshot due by `at`
// has ended when the request sees the library.
//
// Not thread-safe; the environment serialises calls. handle() never throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "reference/api/routes.h"
#include "reference/api/token_store.h"
#include "reference/base/timestamp.h"
#include "reference/library/library.h"

namespace imagelib {

// An HTTP request as parsed by the transport.
struct HttpRequest {
  std::string method;  // "GET", "POST", ... (case-sensitive, as HTTP says)
  std::string target;  // path and query: "/1.0/images?account_id=acc-xxxxx"
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
};

// The response for the transport to serialise. Header names are lower-case
// ("content-type", "link", "allow", "www-authenticate").
struct HttpResponse {
  int status = 200;
  std::map<std::string, std::string> headers;
  std::string body;  // JSON text (or empty)
};

struct ApiOptions {
  // The API's root URL: the prefix of every "url" field and of the Link header.
  std::string api_base = "https://api.library.localhost";
  // The domain of servers' fqdn ("srv-xxxxx.gb1.library.localhost") and of
  // the stand-in users' email addresses.
  std::string server_domain = "gb1.library.localhost";
  Duration token_lifetime = std::chrono::hours(2);
  std::size_t max_body_bytes = std::size_t{1} << 20;
};

// ApiService maps HTTP requests onto a Library. Not thread-safe; the
// environment serialises calls. The Library must outlive the service.
class ApiService {
 public:
  explicit ApiService(Library& library, ApiOptions options = {});

  // A request that passed every check: whom it is for and what it says.
  struct Admitted {
    api::RouteMatch route;
    AccountId caller;
    nlohmann::json body;  // a JSON object; {} for GET and DELETE
  };

  // admit(), then handle() of what it admitted: the answer to the request.
  HttpResponse handle(const HttpRequest& request, Timestamp at);
  // The answer to a request refused before anything is done for it (a bad
  // target, no such endpoint, missing or wrong credentials, another
  // account's path, a body that does not parse), the one handle() gives it
  // with no change to any state; or the request, admitted. A deployment
  // journals only admitted requests (SPEC §6).
  std::variant<HttpResponse, Admitted> admit(const HttpRequest& request, Timestamp at) const;
  // Runs the library's jobs due by `at`, then acts on an admitted request.
  HttpResponse handle(const Admitted& call, Timestamp at);

  const ApiOptions& options() const { return options_; }
  // The issued tokens, for an environment that saves and restores its state.
  TokenStore& tokens() { return tokens_; }

 private:

  Library& library_;
  ApiOptions options_;
  TokenStore tokens_;
};

}  // namespace imagelib
