#include "reference/library/json.h"

#include <string>

namespace imagelib {
namespace {

nlohmann::json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::string url_of(std::string_view api_base, std::string_view collection, std::string_view id) {
  return std::string(api_base) + "/1.0/" + std::string(collection) + "/" + std::string(id);
}

nlohmann::json nested_image_json(const Image& image, std::string_view api_base) {
  return {
      {"id", image.id},
      {"resource_type", "image"},
      {"url", url_of(api_base, "images", image.id)},
      {"name", image.name},
      {"status", to_string(image.status)},
      {"username", optional_json(image.username)},
      {"description", image.description},
      {"source", image.source},
      {"arch", to_string(image.arch)},
      {"created_at", image.created_at.iso8601()},
      {"official", image.official},
      {"public", image.is_public},
      {"owner", image.owner},
  };
}

nlohmann::json nested_account_json(const Account& account, std::string_view api_base) {
  return {
      {"id", account.id},
      {"resource_type", "account"},
      {"url", url_of(api_base, "accounts", account.id)},
      {"name", account.name},
      {"status", "active"},
  };
}

// The stand-in user of an account (see json.h).
nlohmann::json nested_user_json(const Account& account, const ApiJsonContext& context) {
  const std::string id = "usr-" + account.id.substr(account.id.find('-') + 1);
  return {
      {"id", id},
      {"resource_type", "user"},
      {"url", url_of(context.api_base, "users", id)},
      {"name", account.name},
      {"email_address", id + "@" + std::string(context.server_domain)},
  };
}

nlohmann::json nested_api_client_json(const ApiClient& client, std::string_view api_base) {
  return {
      {"id", client.id},
      {"resource_type", "api_client"},
      {"url", url_of(api_base, "api_clients", client.id)},
      {"name", ""},
      {"description", ""},
      {"revoked_at", nullptr},
  };
}

nlohmann::json optional_time_json(const std::optional<Timestamp>& at) {
  return at ? nlohmann::json(at->iso8601()) : nlohmann::json(nullptr);
}

// The fields of fog's Nested SERVER, which the full answer starts from.
nlohmann::json nested_server_json(const ServerView& view, const ApiJsonContext& context) {
  const Server& server = view.server;
  return {
      {"id", server.id},
      {"resource_type", "server"},
      {"url", url_of(context.api_base, "servers", server.id)},
      {"name", server.name},
      {"status", view.deleted_at ? "deleted" : "active"},
      {"hostname", server.id},
      {"fqdn", server.id + "." + std::string(context.server_domain)},
      {"created_at", server.created_at.iso8601()},
      {"started_at", server.created_at.iso8601()},
      {"deleted_at", optional_time_json(view.deleted_at)},
      {"username", optional_json(view.image.username)},
  };
}

}  // namespace

nlohmann::json image_json(const Image& image, std::string_view api_base) {
  nlohmann::json json = nested_image_json(image, api_base);
  json.update({
      {"locked", image.locked},
      {"source_type", to_string(image.source_type)},
      {"source_trigger", image.source_trigger},
      {"compatibility_mode", image.compatibility_mode},
      {"disk_size", to_megabytes(image.disk_size)},
      {"virtual_size", to_megabytes(image.virtual_size)},
      {"min_ram", image.min_ram ? nlohmann::json(*image.min_ram) : nlohmann::json(nullptr)},
      {"licence_name", nullptr},
      {"ancestor", nullptr},
      {"source_format", image.source_format.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(image.source_format)},
      {"sha256", image.sha256.empty() ? nlohmann::json(nullptr) : nlohmann::json(image.sha256)},
      {"status_reason", image.status_reason.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(image.status_reason)},
  });
  if (image.ancestor) {
    json["ancestor"] = {{"id", *image.ancestor},
                        {"resource_type", "image"},
                        {"url", url_of(api_base, "images", *image.ancestor)}};
  }
  return json;
}

nlohmann::json account_json(const AccountView& view, const ApiJsonContext& context,
                            bool with_password) {
  const Account& account = view.account;
  nlohmann::json json = nested_account_json(account, context.api_base);
  for (const char* field : {"address_1", "address_2", "city", "county", "postcode",
                            "country_code", "country_name", "telephone_number"}) {
    json[field] = "";
  }
  json.update({
      {"vat_registration_number", nullptr},
      {"telephone_verified", false},
      {"verified_telephone", nullptr},
      {"verified_at", nullptr},
      {"verified_ip", nullptr},
      {"valid_credit_card", false},
      {"created_at", account.created_at.iso8601()},
      {"ram_limit", view.ram_limit_mb},
      {"ram_used", view.ram_used_mb},
      {"cloud_ips_limit", 0},
      {"cloud_ips_used", 0},
      {"load_balancers_limit", 0},
      {"load_balancers_used", 0},
      {"library_ftp_host", context.ftp_host},
      {"library_ftp_user", account.id},
      {"library_ftp_password",
       with_password ? optional_json(account.ftp_password) : nlohmann::json(nullptr)},
      {"owner", nested_user_json(account, context)},
      {"users", nlohmann::json::array({nested_user_json(account, context)})},
  });
  auto& clients = json["clients"] = nlohmann::json::array();
  for (const ApiClient& client : view.clients) {
    clients.push_back(nested_api_client_json(client, context.api_base));
  }
  auto& servers = json["servers"] = nlohmann::json::array();
  for (const ServerView& server : view.servers) servers.push_back(nested_server_json(server, context));
  auto& images = json["images"] = nlohmann::json::array();
  for (const Image& image : view.images) images.push_back(nested_image_json(image, context.api_base));
  for (const char* none : {"load_balancers", "cloud_ips", "server_groups", "firewall_policies",
                           "zones"}) {
    json[none] = nlohmann::json::array();
  }
  return json;
}

nlohmann::json server_json(const ServerView& view, const ApiJsonContext& context) {
  const Server& server = view.server;
  nlohmann::json json = nested_server_json(view, context);
  const ServerType* type = find_server_type(server.server_type);
  json.update({
      {"compatibility_mode", server.compatibility_mode},
      {"user_data", nullptr},
      {"console_url", nullptr},
      {"console_token", nullptr},
      {"console_token_expires", nullptr},
      {"licence_name", nullptr},
      {"zone", nullptr},
      {"account", nested_account_json(view.account, context.api_base)},
      {"server_type", type ? server_type_json(*type, context.api_base)
                           : nlohmann::json{{"id", server.server_type},
                                            {"resource_type", "server_type"}}},
      {"image", nested_image_json(view.image, context.api_base)},
  });
  auto& snapshots = json["snapshots"] = nlohmann::json::array();
  for (const Image& image : view.snapshots) snapshots.push_back(nested_image_json(image, context.api_base));
  for (const char* none : {"cloud_ips", "server_groups", "interfaces", "volumes"}) {
    json[none] = nlohmann::json::array();
  }
  return json;
}

nlohmann::json server_type_json(const ServerType& type, std::string_view api_base) {
  return {
      {"id", type.id},
      {"resource_type", "server_type"},
      {"url", url_of(api_base, "server_types", type.id)},
      {"handle", type.handle},
      {"name", type.name},
      {"status", "available"},
      {"cores", type.cores},
      {"ram", type.ram_mb},
      {"disk_size", type.disk_mb},
  };
}

}  // namespace imagelib
