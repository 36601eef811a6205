// The configuration of a `remote:FILE` conformance target: where a
// deployment's FTPS and API endpoints are, how to trust their TLS, the
// client credentials of the accounts "main" and "alt", the optional features
// the deployment declares, the prefix of everything a run creates and the
// real-time limits of a run. The format is documented in scenarios/README.md
// ("Pointing at a real deployment"); conformance/remote.example.json is an
// example. Callers: RemoteTarget, the serve fixture, tests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reference/base/status.h"
#include "reference/base/timestamp.h"

namespace imagelib::conformance {

struct RemoteTls {
  std::optional<std::string> ca_file;  // absolute once loaded; none: the system's CAs
  bool insecure_skip_verify = false;   // accept any certificate (self-signed, loopback)
  std::optional<std::string> server_name;  // SNI and the name checked; default: the host
};

struct RemoteFtps {
  std::string host;
  std::uint16_t port = 21;
  RemoteTls tls;
};

struct RemoteApi {
  std::string base;  // "https://host:port" (the port filled in when the URL has none)
  RemoteTls tls;     // for https
};

struct RemoteAccount {
  std::string client_id;
  std::string secret;
  std::optional<std::string> account_id;  // none: asked from GET /1.0/account
  // A token of this account's that has expired, for the checks that an
  // expired token is refused; none: a fresh token is waited out when the
  // deployment's lifetime is at most timeouts.token_expiry_wait.
  std::optional<std::string> expired_token;
};

struct RemoteTimeouts {
  Duration poll_interval = std::chrono::seconds(1);  // between polls of a wait step
  Duration call = std::chrono::seconds(60);          // one FTP operation or API request
  Duration job = std::chrono::seconds(600);          // cleanup waits this long for jobs to end
  Duration token_expiry_wait = std::chrono::seconds(10);
};

struct RemoteConfig {
  std::string path;  // the file it came from, for messages
  RemoteFtps ftps;
  RemoteApi api;
  std::map<std::string, RemoteAccount> accounts;  // "main" and "alt"
  std::set<std::string> features;
  // The accounts hold nothing but what runs make (a deployment kept for
  // conformance): listings are then compared with the reference exactly,
  // and an entry of the run's accounts that the reference lacks is a bug.
  bool dedicated_accounts = false;
  // Fields the deployment's answers add beyond SPEC; any other field the
  // reference does not answer is reported.
  std::set<std::string> extra_fields;
  std::string name_prefix;
  RemoteTimeouts timeouts;
};

// Parses and validates the JSON text of `path` (relative CA files are
// relative to the file's folder). Errors name the file and the field:
// "deploy.json: accounts.alt.secret: missing".
Result<RemoteConfig> parse_remote_config(std::string_view json_text, const std::string& path);
Result<RemoteConfig> load_remote_config(const std::string& path);

// The JSON form parse_remote_config reads back (relative paths stay absolute).
nlohmann::json to_json(const RemoteConfig& config);

}  // namespace imagelib::conformance
