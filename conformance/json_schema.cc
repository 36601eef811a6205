#include "conformance/json_schema.h"

#include <regex>

namespace imagelib::conformance {
namespace {

bool has_type(const nlohmann::json& value, const std::string& type) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  return false;
}

std::string escape_pointer(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string joined(const nlohmann::json& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return out;
}

}  // namespace

std::vector<SchemaError> JsonSchema::validate(const nlohmann::json& value) const {
  std::vector<SchemaError> errors;
  check(root_, value, "", errors);
  return errors;
}

const nlohmann::json& JsonSchema::resolve(const nlohmann::json& schema) const {
  const nlohmann::json* current = &schema;
  // Follow chains of local references; a cycle of pure $refs is a schema bug.
  for (int hops = 0; hops < 16 && current->contains("$ref"); ++hops) {
    const std::string ref = (*current)["$ref"].get<std::string>();
    current = &root_.at(nlohmann::json::json_pointer(ref.substr(1)));
  }
  return *current;
}

void JsonSchema::check(const nlohmann::json& schema_in, const nlohmann::json& value,
                       const std::string& pointer, std::vector<SchemaError>& errors) const {
  const nlohmann::json& schema = resolve(schema_in);
  const std::string where = pointer.empty() ? "/" : pointer;
  if (auto it = schema.find("type"); it != schema.end()) {
    const bool ok = it->is_array()
                        ? std::any_of(it->begin(), it->end(),
                                      [&](const auto& t) { return has_type(value, t.template get<std::string>()); })
                        : has_type(value, it->get<std::string>());
    if (!ok) {
      errors.push_back({where, "must be of type " + (it->is_array() ? joined(*it) : it->get<std::string>())});
      return;
    }
  }
  if (auto it = schema.find("const"); it != schema.end() && *it != value) {
    errors.push_back({where, "must be " + it->dump()});
  }
  if (auto it = schema.find("enum"); it != schema.end()) {
    if (std::find(it->begin(), it->end(), value) == it->end()) {
      errors.push_back({where, "must be one of " + joined(*it)});
    }
  }
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (auto it = schema.find("minLength"); it != schema.end() && text.size() < it->get<std::size_t>()) {
      errors.push_back({where, "must have at least " + it->dump() + " characters"});
    }
    if (auto it = schema.find("pattern"); it != schema.end() &&
                                          !std::regex_search(text, std::regex(it->get<std::string>()))) {
      errors.push_back({where, "must match " + it->get<std::string>()});
    }
  }
  if (value.is_number()) {
    if (auto it = schema.find("minimum"); it != schema.end() && value.get<double>() < it->get<double>()) {
      errors.push_back({where, "must be at least " + it->dump()});
    }
  }
  if (value.is_object()) {
    const auto properties = schema.value("properties", nlohmann::json::object());
    for (const auto& name : schema.value("required", nlohmann::json::array())) {
      if (!value.contains(name.get<std::string>())) {
        errors.push_back({where, "lacks the required field \"" + name.get<std::string>() + "\""});
      }
    }
    const bool closed = schema.contains("additionalProperties") && schema["additionalProperties"] == false;
    for (const auto& [key, child] : value.items()) {
      const std::string child_pointer = pointer + "/" + escape_pointer(key);
      if (properties.contains(key)) {
        check(properties[key], child, child_pointer, errors);
      } else if (closed) {
        errors.push_back({child_pointer, "is not a known field (known: " +
                                             [&] {
                                               std::string names;
                                               for (const auto& [k, v] : properties.items()) {
                                                 names += (names.empty() ? "" : ", ") + k;
                                               }
                                               return names;
                                             }() +
                                             ")"});
      } else if (schema.contains("additionalProperties") && schema["additionalProperties"].is_object()) {
        check(schema["additionalProperties"], child, child_pointer, errors);
      }
    }
  }
  if (value.is_array()) {
    if (auto it = schema.find("minItems"); it != schema.end() && value.size() < it->get<std::size_t>()) {
      errors.push_back({where, "must have at least " + it->dump() + " items"});
    }
    if (auto it = schema.find("items"); it != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        check(*it, value[i], pointer + "/" + std::to_string(i), errors);
      }
    }
  }
  for (const char* keyword : {"oneOf", "anyOf"}) {
    auto it = schema.find(keyword);
    if (it == schema.end()) continue;
    std::size_t matches = 0;
    std::vector<SchemaError> closest;
    for (const auto& option : *it) {
      std::vector<SchemaError> option_errors;
      check(option, value, pointer, option_errors);
      if (option_errors.empty()) {
        ++matches;
      } else if (closest.empty() || option_errors.size() < closest.size()) {
        closest = option_errors;
      }
    }
    const bool one_of = std::string_view(keyword) == "oneOf";
    if (matches == 0) {
      errors.insert(errors.end(), closest.begin(), closest.end());
    } else if (one_of && matches > 1) {
      errors.push_back({where, "matches more than one of the allowed forms"});
    }
  }
}

}  // namespace imagelib::conformance
