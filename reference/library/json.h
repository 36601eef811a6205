// The JSON of the API's answers: images (SPEC §2), servers, server types and
// accounts in the shapes fog-brightbox and brightbox-cli read (fog's "Full"
// formats, which hold its "Collected" ones; nested records in its "Nested"
// formats; conformance/fog_formats.schema.json checks them). Called by the
// API handlers (reference/api/), Library::dump_state and the walkthrough.
//
// Decisions where the real service has data the reference does not model:
// - servers: `status` "active" (a server runs from its creation until it is
//   destroyed; the answer to DELETE says "deleted" with `deleted_at`),
//   `started_at` = `created_at`, `hostname` = the id, `fqdn` = id + "." +
//   server_domain, `username` = its image's, `zone` null (no zones),
//   `interfaces`, `cloud_ips`, `server_groups`, `volumes` empty (no network
//   or volumes are modelled), console fields and `user_data` null;
// - accounts: `status` "active", address and telephone fields "" (String in
//   fog's Full format), `telephone_verified` and `valid_credit_card` false,
//   cloud IP and load balancer limits and counters 0 (none can be made);
//   `owner` and `users` are a stand-in user per account (the reference has no
//   users): id "usr-" + the account id's characters after "acc-", the
//   account's name, email "<user id>@<server_domain>";
// - API clients: `name` and `description` "" (the reference keeps neither),
//   `revoked_at` null; the secret is never shown.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "reference/library/library.h"
#include "reference/library/model.h"
#include "reference/library/server_types.h"

namespace imagelib {

struct ApiJsonContext {
  std::string_view api_base;  // "https://api.example.com": every "url" starts with it
  std::string_view ftp_host;  // the accounts' library_ftp_host
  std::string_view server_domain;  // a server's fqdn is "<id>." + server_domain
};

// The image's "url" is api_base + "/1.0/images/" + id; `owner` is always an
// account id (kSystemAccount for official images).
nlohmann::json image_json(const Image& image, std::string_view api_base);
// The password appears only when `with_password` (the reset's response).
nlohmann::json account_json(const AccountView& view, const ApiJsonContext& context,
                            bool with_password);
nlohmann::json server_json(const ServerView& view, const ApiJsonContext& context);
nlohmann::json server_type_json(const ServerType& type, std::string_view api_base);

}  // namespace imagelib
