#include "conformance/name_prefix.h"

#include <regex>
#include <set>

namespace imagelib::conformance {
namespace {

std::string path_only(const std::string& target) { return target.substr(0, target.find('?')); }

// The fields of a request body that name something the request creates.
std::set<std::string> named_fields(const std::string& method, const std::string& path) {
  static const std::regex kImage("^/1\\.0/images/[^/]+$");
  if (method == "POST" && path == "/1.0/images") return {"name", "source"};
  if (method == "PUT" && std::regex_match(path, kImage)) return {"name"};
  if (method == "POST" && path == "/1.0/servers") return {"name"};
  return {};
}

}  // namespace

std::string NamePrefix::request_body(const std::string& method, const std::string& path,
                                     const std::string& body) const {
  const auto fields = named_fields(method, path_only(path));
  if (fields.empty()) return body;
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return body;
  bool changed = false;
  for (const auto& field : fields) {
    if (json.contains(field) && json[field].is_string()) {
      json[field] = prefix_ + json[field].get<std::string>();
      changed = true;
    }
  }
  return changed ? json.dump() : body;
}

std::string NamePrefix::strip(std::string text) const {
  for (auto at = text.find(prefix_); at != std::string::npos; at = text.find(prefix_, at)) {
    text.erase(at, prefix_.size());
  }
  return text;
}

nlohmann::json NamePrefix::strip(const nlohmann::json& value) const {
  if (value.is_string()) return strip(value.get<std::string>());
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, child] : value.items()) out[key] = strip(child);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& child : value) out.push_back(strip(child));
    return out;
  }
  return value;
}

std::string NamePrefix::strip_body(const std::string& body) const {
  if (body.find(prefix_) == std::string::npos) return body;
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? strip(body) : strip(json).dump();
}

std::string NamePrefix::ftp_path(const std::string& path) const {
  static const std::regex kIncomingFile("^(/?incoming/)([^/]+)$");
  std::smatch match;
  if (!std::regex_match(path, match, kIncomingFile) || match[2] == "." || match[2] == "..") return path;
  return std::string(match[1]) + prefix_ + std::string(match[2]);
}

std::string NamePrefix::ftp_command(const std::string& line) const {
  static const std::set<std::string> kPathCommands = {"APPE", "DELE", "MDTM", "MKD", "MLST", "RETR",
                                                      "RMD",  "RNFR", "RNTO", "SIZE", "STOR"};
  const auto space = line.find(' ');
  if (space == std::string::npos) return line;
  std::string verb = line.substr(0, space);
  for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (kPathCommands.count(verb) == 0) return line;
  return line.substr(0, space + 1) + ftp_path(line.substr(space + 1));
}

}  // namespace imagelib::conformance
