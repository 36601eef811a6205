#include "conformance/remote_config.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace imagelib::conformance {
namespace {

// The schema's feature names: a config may declare only those.
const std::set<std::string>& known_features() {
  static const std::set<std::string> features = [] {
    const auto schema = nlohmann::json::parse(
#include "conformance/scenario_schema.inc"
    );
    const auto& names = schema.at("$defs").at("feature").at("enum");
    return std::set<std::string>(names.begin(), names.end());
  }();
  return features;
}

// Features that only simulated targets have.
const std::set<std::string> kSimulationOnly = {"simulation", "fault_injection"};

// Reads the fields of one JSON object, naming "file: a.b.c" in every error.
class Fields {
 public:
  Fields(const nlohmann::json& object, std::string file, std::string where)
      : object_(&object), file_(std::move(file)), where_(std::move(where)) {}

  Status error(const std::string& field, const std::string& message) const {
    return Status(ErrorCode::kBadRequest, file_ + ": " + name(field) + ": " + message);
  }
  std::string name(const std::string& field) const { return where_.empty() ? field : where_ + "." + field; }
  bool has(const std::string& field) const { return object_->contains(field); }
  const nlohmann::json& at(const std::string& field) const { return object_->at(field); }

  // Every field of the object must be one of `allowed`.
  Status only(const std::set<std::string>& allowed) const {
    for (const auto& [key, value] : object_->items()) {
      if (allowed.count(key) == 0) return error(key, "unknown field");
    }
    return {};
  }

  Result<std::string> text(const std::string& field, bool required) const {
    if (!has(field)) {
      if (required) return error(field, "missing");
      return std::string();
    }
    if (!at(field).is_string() || at(field).get<std::string>().empty()) {
      return error(field, "must be a non-empty string");
    }
    return at(field).get<std::string>();
  }

  Result<bool> flag(const std::string& field) const {
    if (!has(field)) return false;
    if (!at(field).is_boolean()) return error(field, "must be true or false");
    return at(field).get<bool>();
  }

  Result<std::optional<Duration>> seconds(const std::string& field) const {
    if (!has(field)) return std::optional<Duration>();
    if (!at(field).is_number() || !(at(field).get<double>() > 0) ||
        !std::isfinite(at(field).get<double>()) || at(field).get<double>() > 31536000) {
      return error(field, "must be a number of seconds above 0 (at most a year)");
    }
    return std::optional<Duration>(
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(at(field).get<double>())));
  }

  Result<Fields> object(const std::string& field, bool required) const {
    static const nlohmann::json kEmpty = nlohmann::json::object();
    if (!has(field)) {
      if (required) return error(field, "missing");
      return Fields(kEmpty, file_, name(field));
    }
    if (!at(field).is_object()) return error(field, "must be an object");
    return Fields(at(field), file_, name(field));
  }

 private:
  const nlohmann::json* object_;  // outlives the reader
  std::string file_;
  std::string where_;
};

// Assigns the value of a Result, or returns its error.
#define IMAGELIB_TRY_ASSIGN(target, expression) \
  do {                                          \
    auto result_ = (expression);                \
    if (!result_.ok()) return result_.status(); \
    target = std::move(*result_);               \
  } while (false)

Result<RemoteTls> parse_tls(const Fields& parent, const std::filesystem::path& folder) {
  auto tls_fields = parent.object("tls", false);
  if (!tls_fields.ok()) return tls_fields.status();
  const Fields& tls = *tls_fields;
  IMAGELIB_RETURN_IF_ERROR(tls.only({"ca_file", "insecure_skip_verify", "server_name"}));
  RemoteTls out;
  std::string ca_file;
  IMAGELIB_TRY_ASSIGN(ca_file, tls.text("ca_file", false));
  IMAGELIB_TRY_ASSIGN(out.insecure_skip_verify, tls.flag("insecure_skip_verify"));
  std::string server_name;
  IMAGELIB_TRY_ASSIGN(server_name, tls.text("server_name", false));
  if (!server_name.empty()) out.server_name = server_name;
  if (!ca_file.empty()) {
    if (out.insecure_skip_verify) {
      return tls.error("ca_file", "set either ca_file or insecure_skip_verify, not both");
    }
    const std::filesystem::path path = std::filesystem::path(ca_file).is_absolute()
                                           ? std::filesystem::path(ca_file)
                                           : folder / ca_file;
    if (!std::filesystem::is_regular_file(path)) {
      return tls.error("ca_file", "no such file: " + path.string());
    }
    out.ca_file = path.string();
  }
  return out;
}

Result<RemoteFtps> parse_ftps(const Fields& root, const std::filesystem::path& folder) {
  auto ftps_fields = root.object("ftps", true);
  if (!ftps_fields.ok()) return ftps_fields.status();
  const Fields& ftps = *ftps_fields;
  IMAGELIB_RETURN_IF_ERROR(ftps.only({"host", "port", "tls"}));
  RemoteFtps out;
  IMAGELIB_TRY_ASSIGN(out.host, ftps.text("host", true));
  if (ftps.has("port")) {
    const auto& port = ftps.at("port");
    if (!port.is_number_unsigned() || port.get<std::uint64_t>() == 0 || port.get<std::uint64_t>() > 65535) {
      return ftps.error("port", "must be a port number (1-65535)");
    }
    out.port = static_cast<std::uint16_t>(port.get<std::uint64_t>());
  }
  IMAGELIB_TRY_ASSIGN(out.tls, parse_tls(ftps, folder));
  return out;
}

Result<RemoteApi> parse_api(const Fields& root, const std::filesystem::path& folder) {
  auto api_fields = root.object("api", true);
  if (!api_fields.ok()) return api_fields.status();
  const Fields& api = *api_fields;
  IMAGELIB_RETURN_IF_ERROR(api.only({"url", "tls"}));
  std::string url;
  IMAGELIB_TRY_ASSIGN(url, api.text("url", true));
  static const std::regex kUrl(R"(^(https?)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:([0-9]{1,5}))?/?$)");
  std::smatch match;
  if (!std::regex_match(url, match, kUrl)) {
    return api.error("url", "must be http(s)://host[:port] without a path, not \"" + url + "\"");
  }
  std::string port = match[4].matched ? std::string(match[4]) : (match[1] == "https" ? "443" : "80");
  if (std::stoul(port) == 0 || std::stoul(port) > 65535) return api.error("url", "bad port " + port);
  RemoteApi out;
  out.base = std::string(match[1]) + "://" + std::string(match[2]) + ":" + port;
  IMAGELIB_TRY_ASSIGN(out.tls, parse_tls(api, folder));
  return out;
}

Result<RemoteAccount> parse_account(const Fields& accounts, const std::string& role) {
  auto account_fields = accounts.object(role, true);
  if (!account_fields.ok()) return account_fields.status();
  const Fields& account = *account_fields;
  IMAGELIB_RETURN_IF_ERROR(account.only({"client_id", "secret", "secret_env", "account_id", "expired_token"}));
  RemoteAccount out;
  IMAGELIB_TRY_ASSIGN(out.client_id, account.text("client_id", true));
  if (account.has("secret") == account.has("secret_env")) {
    return account.error("secret", "give exactly one of secret and secret_env");
  }
  if (account.has("secret")) {
    IMAGELIB_TRY_ASSIGN(out.secret, account.text("secret", true));
  } else {
    std::string variable;
    IMAGELIB_TRY_ASSIGN(variable, account.text("secret_env", true));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr || *value == '\0') {
      return account.error("secret_env", "the environment variable " + variable + " is not set");
    }
    out.secret = value;
  }
  std::string id;
  IMAGELIB_TRY_ASSIGN(id, account.text("account_id", false));
  if (!id.empty()) out.account_id = id;
  std::string expired;
  IMAGELIB_TRY_ASSIGN(expired, account.text("expired_token", false));
  if (!expired.empty()) out.expired_token = expired;
  return out;
}

Result<RemoteTimeouts> parse_timeouts(const Fields& root) {
  auto timeouts_fields = root.object("timeouts", false);
  if (!timeouts_fields.ok()) return timeouts_fields.status();
  const Fields& timeouts = *timeouts_fields;
  IMAGELIB_RETURN_IF_ERROR(timeouts.only({"poll_seconds", "call_seconds", "job_seconds", "token_expiry_wait_seconds"}));
  RemoteTimeouts out;
  const std::pair<const char*, Duration*> fields[] = {{"poll_seconds", &out.poll_interval},
                                                      {"call_seconds", &out.call},
                                                      {"job_seconds", &out.job},
                                                      {"token_expiry_wait_seconds", &out.token_expiry_wait}};
  for (const auto& [name, slot] : fields) {
    std::optional<Duration> value;
    IMAGELIB_TRY_ASSIGN(value, timeouts.seconds(name));
    if (value) *slot = *value;
  }
  return out;
}

Result<std::set<std::string>> parse_features(const Fields& root) {
  if (!root.has("features")) return root.error("features", "missing (a list such as [\"api\", \"ftp\"])");
  const auto& list = root.at("features");
  if (!list.is_array()) return root.error("features", "must be a list of feature names");
  std::set<std::string> features;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string field = "features[" + std::to_string(i) + "]";
    if (!list[i].is_string()) return root.error(field, "must be a string");
    const std::string feature = list[i].get<std::string>();
    if (kSimulationOnly.count(feature) != 0) {
      return root.error(field, "\"" + feature + "\" is declared only by simulated targets");
    }
    if (known_features().count(feature) == 0) {
      std::string names;
      for (const auto& known : known_features()) {
        if (kSimulationOnly.count(known) == 0) names += (names.empty() ? "" : ", ") + known;
      }
      return root.error(field, "unknown feature \"" + feature + "\" (known: " + names + ")");
    }
    features.insert(feature);
  }
  return features;
}

Result<std::set<std::string>> parse_extra_fields(const Fields& root) {
  std::set<std::string> fields;
  if (!root.has("extra_fields")) return fields;
  const auto& list = root.at("extra_fields");
  if (!list.is_array()) return root.error("extra_fields", "must be a list of field names");
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string() || list[i].get<std::string>().empty()) {
      return root.error("extra_fields[" + std::to_string(i) + "]", "must be a non-empty string");
    }
    fields.insert(list[i].get<std::string>());
  }
  return fields;
}

nlohmann::json tls_json(const RemoteTls& tls) {
  nlohmann::json out = nlohmann::json::object();
  if (tls.ca_file) out["ca_file"] = *tls.ca_file;
  if (tls.insecure_skip_verify) out["insecure_skip_verify"] = true;
  if (tls.server_name) out["server_name"] = *tls.server_name;
  return out;
}

double in_seconds(Duration duration) { return std::chrono::duration<double>(duration).count(); }

}  // namespace

Result<RemoteConfig> parse_remote_config(std::string_view json_text, const std::string& path) {
  const auto json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status(ErrorCode::kBadRequest, path + ": not valid JSON");
  if (!json.is_object()) return Status(ErrorCode::kBadRequest, path + ": must be a JSON object");
  const Fields root(json, path, "");
  IMAGELIB_RETURN_IF_ERROR(root.only({"name_prefix", "ftps", "api", "accounts", "features",
                                            "dedicated_accounts", "extra_fields", "timeouts"}));
  const std::filesystem::path folder = std::filesystem::absolute(path).parent_path();

  RemoteConfig config;
  config.path = path;
  IMAGELIB_TRY_ASSIGN(config.name_prefix, root.text("name_prefix", true));
  // The prefix starts file names in incoming/ too: only the characters SPEC §3 allows there.
  static const std::regex kPrefix("^[A-Za-z0-9._+~^-]{3,64}$");
  if (!std::regex_match(config.name_prefix, kPrefix)) {
    return root.error("name_prefix",
                      "3 to 64 letters, digits or -_+.~^ (it starts file names), e.g. imagelib-conformance-");
  }
  IMAGELIB_TRY_ASSIGN(config.ftps, parse_ftps(root, folder));
  IMAGELIB_TRY_ASSIGN(config.api, parse_api(root, folder));
  auto accounts_fields = root.object("accounts", true);
  if (!accounts_fields.ok()) return accounts_fields.status();
  const Fields& accounts = *accounts_fields;
  IMAGELIB_RETURN_IF_ERROR(accounts.only({"main", "alt"}));
  for (const std::string role : {"main", "alt"}) {
    IMAGELIB_TRY_ASSIGN(config.accounts[role], parse_account(accounts, role));
  }
  if (config.accounts["main"].client_id == config.accounts["alt"].client_id) {
    return accounts.error("alt.client_id", "must differ from main's: the checks need two accounts");
  }
  IMAGELIB_TRY_ASSIGN(config.features, parse_features(root));
  IMAGELIB_TRY_ASSIGN(config.dedicated_accounts, root.flag("dedicated_accounts"));
  IMAGELIB_TRY_ASSIGN(config.extra_fields, parse_extra_fields(root));
  IMAGELIB_TRY_ASSIGN(config.timeouts, parse_timeouts(root));
  return config;
}

Result<RemoteConfig> load_remote_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, path + ": cannot read the remote target's config");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_remote_config(text.str(), path);
}

nlohmann::json to_json(const RemoteConfig& config) {
  nlohmann::json accounts = nlohmann::json::object();
  for (const auto& [role, account] : config.accounts) {
    nlohmann::json entry = {{"client_id", account.client_id}, {"secret", account.secret}};
    if (account.account_id) entry["account_id"] = *account.account_id;
    if (account.expired_token) entry["expired_token"] = *account.expired_token;
    accounts[role] = entry;
  }
  return {{"name_prefix", config.name_prefix},
          {"ftps", {{"host", config.ftps.host}, {"port", config.ftps.port}, {"tls", tls_json(config.ftps.tls)}}},
          {"api", {{"url", config.api.base}, {"tls", tls_json(config.api.tls)}}},
          {"accounts", accounts},
          {"features", config.features},
          {"dedicated_accounts", config.dedicated_accounts},
          {"extra_fields", config.extra_fields},
          {"timeouts",
           {{"poll_seconds", in_seconds(config.timeouts.poll_interval)},
            {"call_seconds", in_seconds(config.timeouts.call)},
            {"job_seconds", in_seconds(config.timeouts.job)},
            {"token_expiry_wait_seconds", in_seconds(config.timeouts.token_expiry_wait)}}}};
}

}  // namespace imagelib::conformance
