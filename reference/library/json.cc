#include "reference/library/json.h"

#include <string>

namespace imagelib {
namespace {

nlohmann::json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json image_json(const Image& image, std::string_view api_base) {
  nlohmann::json json = {
      {"id", image.id},
      {"resource_type", "image"},
      {"url", std::string(api_base) + "/1.0/images/" + image.id},
      {"name", image.name},
      {"status", to_string(image.status)},
      {"locked", image.locked},
      {"username", optional_json(image.username)},
      {"description", image.description},
      {"source", image.source},
      {"source_type", to_string(image.source_type)},
      {"source_trigger", image.source_trigger},
      {"arch", to_string(image.arch)},
      {"created_at", image.created_at.iso8601()},
      {"official", image.official},
      {"public", image.is_public},
      {"compatibility_mode", image.compatibility_mode},
      {"disk_size", to_megabytes(image.disk_size)},
      {"virtual_size", to_megabytes(image.virtual_size)},
      {"min_ram", image.min_ram ? nlohmann::json(*image.min_ram) : nlohmann::json(nullptr)},
      {"owner", image.owner},
      {"licence_name", nullptr},
      {"ancestor", nullptr},
      {"source_format", image.source_format.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(image.source_format)},
      {"sha256", image.sha256.empty() ? nlohmann::json(nullptr) : nlohmann::json(image.sha256)},
      {"status_reason", image.status_reason.empty() ? nlohmann::json(nullptr)
                                                    : nlohmann::json(image.status_reason)},
  };
  if (image.ancestor) {
    json["ancestor"] = {{"id", *image.ancestor},
                        {"resource_type", "image"},
                        {"url", std::string(api_base) + "/1.0/images/" + *image.ancestor}};
  }
  return json;
}

nlohmann::json account_json(const Account& account, std::string_view ftp_host, bool with_password) {
  return {
      {"id", account.id},
      {"resource_type", "account"},
      {"name", account.name},
      {"library_ftp_host", ftp_host},
      {"library_ftp_user", account.id},
      {"library_ftp_password", with_password ? optional_json(account.ftp_password)
                                             : nlohmann::json(nullptr)},
  };
}

nlohmann::json server_json(const Server& server, std::string_view api_base) {
  return {
      {"id", server.id},
      {"resource_type", "server"},
      {"url", std::string(api_base) + "/1.0/servers/" + server.id},
      {"name", server.name},
      {"status", "active"},
      {"created_at", server.created_at.iso8601()},
      {"compatibility_mode", server.compatibility_mode},
      {"server_type", {{"id", server.server_type}, {"resource_type", "server_type"}}},
      {"image", {{"id", server.image}, {"resource_type", "image"}}},
      {"account", {{"id", server.owner}, {"resource_type", "account"}}},
  };
}

}  // namespace imagelib
