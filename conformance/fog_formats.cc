#include "conformance/fog_formats.h"

#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/json_schema.h"

namespace imagelib::conformance {
namespace {

constexpr std::string_view kSchemaText =
#include "conformance/fog_formats_schema.inc"
    ;

struct Format {
  std::string name;  // the $defs entry, "full_server"
  JsonSchema schema;
};

// "GET /1.0/servers/{id}" → its format, and "error" for the other answers.
struct Formats {
  std::map<std::string, Format> by_endpoint;
  Format error;
};

Format format_at(const nlohmann::json& document, const std::string& ref) {
  return {ref.substr(ref.rfind('/') + 1),
          JsonSchema(nlohmann::json{{"$defs", document["$defs"]}, {"$ref", ref}})};
}

const Formats& formats() {
  static const Formats loaded = [] {
    const auto document = nlohmann::json::parse(kSchemaText);
    Formats f{{}, format_at(document, "#/$defs/error")};
    for (const auto& [endpoint, ref] : document["endpoints"].items()) {
      f.by_endpoint.emplace(endpoint, format_at(document, ref.get<std::string>()));
    }
    return f;
  }();
  return loaded;
}

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> segments;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  return segments;
}

// Whether "/1.0/servers/srv-abcde" is an answer of "/1.0/servers/{id}".
bool path_matches(std::string_view pattern, std::string_view path) {
  const auto wanted = segments_of(pattern);
  const auto got = segments_of(path);
  if (wanted.size() != got.size()) return false;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i] == "{id}" ? got[i].empty() : wanted[i] != got[i]) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> fog_format_violations(std::string_view method, std::string_view target,
                                               int status, const std::string& body) {
  std::string_view path = target.substr(0, target.find('?'));
  if (!path.starts_with("/1.0/")) return {};
  if (path.back() == '/') path.remove_suffix(1);
  const Formats& all = formats();
  const Format* format = &all.error;
  std::string endpoint = std::string(method) + " " + std::string(path);
  if (status >= 200 && status < 300) {
    format = nullptr;
    for (const auto& [name, candidate] : all.by_endpoint) {
      const auto space = name.find(' ');
      if (name.substr(0, space) == method && path_matches(name.substr(space + 1), path)) {
        endpoint = name;
        format = &candidate;
      }
    }
    if (format == nullptr) return {};
  }
  const std::string where = endpoint + " (" + format->name + ")";
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return {where + ": the body is not JSON"};
  std::vector<std::string> violations;
  for (const SchemaError& error : format->schema.validate(json)) {
    violations.push_back(where + ": " + error.pointer + ": " + error.message);
  }
  return violations;
}

}  // namespace imagelib::conformance
