#include "tools/server_table.h"

#include <algorithm>

#include "tools/image_table.h"

namespace imagelib::cli {
namespace {

using nlohmann::json;

std::string field(const json& object, const char* name) {
  return object.is_object() ? json_text(object.value(name, json())) : "";
}

// A field of a nested object ("server_type" → "handle"); "" when absent.
std::string nested(const json& object, const char* name, const char* inner) {
  return object.is_object() ? field(object.value(name, json()), inner) : "";
}

// One field of each element of an array field, joined as brightbox-cli joins
// them: "cip-12345, cip-67890".
std::string joined(const json& object, const char* name, const char* inner) {
  const json items = object.is_object() ? object.value(name, json()) : json();
  if (!items.is_array()) return "";
  std::string text;
  for (const json& item : items) {
    const std::string value = field(item, inner);
    if (value.empty()) continue;
    text += (text.empty() ? "" : ", ") + value;
  }
  return text;
}

double number(const json& object, const char* name) {
  const json value = object.is_object() ? object.value(name, json()) : json();
  return value.is_number() ? value.get<double>() : 0;
}

bool any_ipv6(const json& server) {
  const json interfaces = server.value("interfaces", json());
  if (!interfaces.is_array()) return false;
  return std::any_of(interfaces.begin(), interfaces.end(),
                     [](const json& i) { return !field(i, "ipv6_address").empty(); });
}

}  // namespace

std::string render_server_table(const std::vector<json>& servers) {
  std::vector<std::vector<std::string>> rows{
      {"id", "status", "type", "zone", "created_on", "image_id", "cloud_ip_ids", "name"}};
  for (const json& server : servers) {
    rows.push_back({field(server, "id"), field(server, "status"),
                    nested(server, "server_type", "handle"), nested(server, "zone", "handle"),
                    field(server, "created_at").substr(0, 10), nested(server, "image", "id"),
                    joined(server, "cloud_ips", "id"), field(server, "name")});
  }
  return render_table(rows);
}

std::string render_server_fields(const json& server) {
  const json type = server.value("server_type", json());
  const json image = server.value("image", json());
  const std::string fqdn = field(server, "fqdn");
  const bool has_cloud_ip = !joined(server, "cloud_ips", "id").empty();
  return render_fields({
      {"id", field(server, "id")},
      {"status", field(server, "status")},
      {"locked", json_text(server.value("locked", json(false)))},
      {"name", field(server, "name")},
      {"created_at", field(server, "created_at")},
      {"deleted_at", field(server, "deleted_at")},
      {"zone", nested(server, "zone", "handle")},
      {"type", field(type, "id")},
      {"type_name", field(type, "name")},
      {"type_handle", field(type, "handle")},
      {"ram", field(type, "ram")},
      {"cores", field(type, "cores")},
      {"disk", field(type, "disk_size")},
      {"disk_encrypted", json_text(server.value("disk_encrypted", json(false)))},
      {"compatibility_mode", json_text(server.value("compatibility_mode", json(false)))},
      {"image", field(image, "id")},
      {"image_name", field(image, "name")},
      {"image_username", field(image, "username")},
      {"arch", field(image, "arch")},
      {"private_ips", joined(server, "interfaces", "ipv4_address")},
      {"ipv6_address", joined(server, "interfaces", "ipv6_address")},
      {"hostname", field(server, "hostname")},
      {"fqdn", fqdn},
      {"public_hostname", has_cloud_ip && !fqdn.empty() ? "public." + fqdn : ""},
      {"ipv6_hostname", any_ipv6(server) && !fqdn.empty() ? "ipv6." + fqdn : ""},
      {"cloud_ip_ids", joined(server, "cloud_ips", "id")},
      {"cloud_ipv4s", joined(server, "cloud_ips", "public_ipv4")},
      {"cloud_ipv6s", joined(server, "cloud_ips", "public_ipv6")},
      {"snapshots", joined(server, "snapshots", "id")},
      {"server_groups", joined(server, "server_groups", "id")},
      {"volumes", joined(server, "volumes", "id")},
  });
}

std::string render_server_type_table(std::vector<json> types) {
  std::stable_sort(types.begin(), types.end(), [](const json& a, const json& b) {
    return number(a, "ram") < number(b, "ram");
  });
  std::vector<std::vector<std::string>> rows{{"id", "name", "handle", "ram", "disk", "cores"}};
  for (const json& type : types) {
    rows.push_back({field(type, "id"), field(type, "name"), field(type, "handle"),
                    field(type, "ram"), field(type, "disk_size"), field(type, "cores")});
  }
  return render_table(rows);
}

std::string render_server_type_fields(const json& type) {
  return render_fields({{"id", field(type, "id")},
                        {"handle", field(type, "handle")},
                        {"status", field(type, "status")},
                        {"name", field(type, "name")},
                        {"ram", field(type, "ram")},
                        {"disk", field(type, "disk_size")},
                        {"cores", field(type, "cores")}});
}

}  // namespace imagelib::cli
