#include "net/accounts_config.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace imagelib::net {
namespace {

using nlohmann::json;

Status invalid(const std::string& where, const std::string& what) {
  return Status(ErrorCode::kUnprocessable, "accounts file: " + where + ": " + what);
}

// Reads an optional string field; an error when present with another type.
Status read_optional_string(const json& object, const char* key, const std::string& where,
                            std::optional<std::string>& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_string()) return invalid(where + "." + key, "must be a string");
  out = it->get<std::string>();
  return {};
}

Status check_keys(const json& object, const std::string& where,
                  std::initializer_list<std::string_view> allowed) {
  if (!object.is_object()) return invalid(where, "must be an object");
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    if (!known) return invalid(where + "." + key, "unknown field");
  }
  return {};
}

Result<AccountConfig> parse_account(const json& object, const std::string& where) {
  IMAGELIB_RETURN_IF_ERROR(check_keys(object, where, {"id", "name", "clients"}));
  AccountConfig account;
  IMAGELIB_RETURN_IF_ERROR(read_optional_string(object, "id", where, account.id));
  std::optional<std::string> name;
  IMAGELIB_RETURN_IF_ERROR(read_optional_string(object, "name", where, name));
  if (!name) return invalid(where + ".name", "required");
  account.name = *name;
  if (auto clients = object.find("clients"); clients != object.end()) {
    if (!clients->is_array()) return invalid(where + ".clients", "must be an array");
    for (std::size_t i = 0; i < clients->size(); ++i) {
      const std::string client_where = where + ".clients[" + std::to_string(i) + "]";
      IMAGELIB_RETURN_IF_ERROR(check_keys((*clients)[i], client_where, {"id", "secret"}));
      ClientConfig client;
      IMAGELIB_RETURN_IF_ERROR(read_optional_string((*clients)[i], "id", client_where, client.id));
      IMAGELIB_RETURN_IF_ERROR(
          read_optional_string((*clients)[i], "secret", client_where, client.secret));
      account.clients.push_back(std::move(client));
    }
  }
  return account;
}

Result<OfficialImageConfig> parse_official_image(const json& object, const std::string& where,
                                                 const std::string& base_directory) {
  IMAGELIB_RETURN_IF_ERROR(check_keys(object, where,
                                      {"name", "file", "arch", "description", "username",
                                       "min_ram", "compatibility_mode"}));
  OfficialImageConfig image;
  std::optional<std::string> text;
  IMAGELIB_RETURN_IF_ERROR(read_optional_string(object, "name", where, text));
  if (!text) return invalid(where + ".name", "required");
  image.name = *text;
  text.reset();
  IMAGELIB_RETURN_IF_ERROR(read_optional_string(object, "file", where, text));
  if (!text) return invalid(where + ".file", "required");
  std::filesystem::path file(*text);
  image.file = file.is_absolute() ? file.string() : (std::filesystem::path(base_directory) / file).string();
  text.reset();
  IMAGELIB_RETURN_IF_ERROR(read_optional_string(object, "arch", where, text));
  if (text) image.arch = *text;
  text.reset();
  IMAGELIB_RETURN_IF_ERROR(read_optional_string(object, "description", where, text));
  if (text) image.description = *text;
  IMAGELIB_RETURN_IF_ERROR(read_optional_string(object, "username", where, image.username));
  if (auto ram = object.find("min_ram"); ram != object.end() && !ram->is_null()) {
    if (!ram->is_number_unsigned() || ram->get<std::uint64_t>() > UINT32_MAX) {
      return invalid(where + ".min_ram", "must be a whole number of MB");
    }
    image.min_ram = ram->get<std::uint32_t>();
  }
  if (auto mode = object.find("compatibility_mode"); mode != object.end()) {
    if (!mode->is_boolean()) return invalid(where + ".compatibility_mode", "must be true or false");
    image.compatibility_mode = mode->get<bool>();
  }
  return image;
}

Result<Bytes> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, "cannot read " + path);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Result<AccountsConfig> parse_accounts_config(std::string_view json_text,
                                             const std::string& base_directory) {
  json document = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return invalid("(document)", "not valid JSON");
  IMAGELIB_RETURN_IF_ERROR(check_keys(document, "(document)", {"accounts", "official_images"}));
  AccountsConfig config;
  if (auto accounts = document.find("accounts"); accounts != document.end()) {
    if (!accounts->is_array()) return invalid("accounts", "must be an array");
    for (std::size_t i = 0; i < accounts->size(); ++i) {
      auto account = parse_account((*accounts)[i], "accounts[" + std::to_string(i) + "]");
      if (!account.ok()) return account.status();
      config.accounts.push_back(std::move(*account));
    }
  }
  if (auto images = document.find("official_images"); images != document.end()) {
    if (!images->is_array()) return invalid("official_images", "must be an array");
    for (std::size_t i = 0; i < images->size(); ++i) {
      auto image = parse_official_image((*images)[i],
                                        "official_images[" + std::to_string(i) + "]",
                                        base_directory);
      if (!image.ok()) return image.status();
      config.official_images.push_back(std::move(*image));
    }
  }
  return config;
}

Result<AccountsConfig> load_accounts_file(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes.ok()) return bytes.status();
  const std::string text(bytes->begin(), bytes->end());
  const std::filesystem::path absolute = std::filesystem::absolute(path);
  return parse_accounts_config(text, absolute.parent_path().string());
}

AccountsConfig default_accounts_config() {
  AccountsConfig config;
  config.accounts.push_back(AccountConfig{std::nullopt, "main", {ClientConfig{}}});
  config.accounts.push_back(AccountConfig{std::nullopt, "other", {ClientConfig{}}});
  return config;
}

nlohmann::json to_json(const AccountsConfig& config) {
  json document = {{"accounts", json::array()}, {"official_images", json::array()}};
  for (const AccountConfig& account : config.accounts) {
    json entry = {{"name", account.name}, {"clients", json::array()}};
    if (account.id) entry["id"] = *account.id;
    for (const ClientConfig& client : account.clients) {
      json client_entry = json::object();
      if (client.id) client_entry["id"] = *client.id;
      if (client.secret) client_entry["secret"] = *client.secret;
      entry["clients"].push_back(std::move(client_entry));
    }
    document["accounts"].push_back(std::move(entry));
  }
  for (const OfficialImageConfig& image : config.official_images) {
    json entry = {{"name", image.name},
                  {"file", image.file},
                  {"arch", image.arch},
                  {"description", image.description},
                  {"compatibility_mode", image.compatibility_mode}};
    if (image.username) entry["username"] = *image.username;
    if (image.min_ram) entry["min_ram"] = *image.min_ram;
    document["official_images"].push_back(std::move(entry));
  }
  return document;
}

Result<std::vector<ProvisionedClient>> provision_library(Library& library,
                                                         const AccountsConfig& config,
                                                         Timestamp at) {
  std::vector<ProvisionedClient> provisioned;
  for (const AccountConfig& account_config : config.accounts) {
    auto account = library.create_account(account_config.name, account_config.id);
    if (!account.ok()) return account.status();
    for (const ClientConfig& client_config : account_config.clients) {
      auto client = library.create_api_client(account->id, client_config.id, client_config.secret);
      if (!client.ok()) return client.status();
      provisioned.push_back(ProvisionedClient{account->id, account->name, client->id, client->secret});
    }
  }
  for (const OfficialImageConfig& image : config.official_images) {
    auto arch = parse_arch(image.arch);
    if (!arch) return invalid("official image " + image.name, "arch must be i686 or x86_64");
    auto content = read_file(image.file);
    if (!content.ok()) return content.status();
    OfficialImageSpec spec{image.name, *arch, image.description, image.username, image.min_ram,
                           image.compatibility_mode, std::move(*content)};
    auto added = library.add_official_image(spec, at);
    if (!added.ok()) return added.status();
  }
  return provisioned;
}

}  // namespace imagelib::net
