#include "conformance/expectation.h"

#include <regex>

namespace imagelib::conformance {
namespace {

bool is_matcher(const nlohmann::json& value) {
  return value.is_object() && !value.empty() && value.begin().key().rfind('$', 0) == 0;
}

std::string type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "boolean";
    case nlohmann::json::value_t::string: return "string";
    case nlohmann::json::value_t::array: return "array";
    case nlohmann::json::value_t::object: return "object";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "integer";
    default: return "number";
  }
}

std::string shown(const nlohmann::json& value) {
  if (value.is_discarded()) return "nothing";
  std::string text = value.dump();
  return text.size() > 200 ? text.substr(0, 200) + "..." : text;
}

bool matches(const nlohmann::json& expected, const nlohmann::json& actual) {
  std::vector<std::string> ignored;
  match(expected, actual, "", ignored);
  return ignored.empty();
}

void match_matcher(const nlohmann::json& m, const nlohmann::json& actual, const std::string& where,
                   std::vector<std::string>& out) {
  auto fail = [&](const std::string& wanted) {
    out.push_back(where + ": expected " + wanted + ", got " + shown(actual));
  };
  for (const auto& [key, arg] : m.items()) {
    if (key == "$absent") {
      if (arg == true && !actual.is_discarded()) fail("no value");
      if (arg == false && actual.is_discarded()) fail("a value");
    } else if (actual.is_discarded()) {
      fail("a value (" + key + " " + shown(arg) + ")");
    } else if (key == "$type") {
      const std::string want = arg.get<std::string>();
      const std::string got = type_name(actual);
      if (!(got == want || (want == "number" && got == "integer"))) fail("a " + want);
    } else if (key == "$match") {
      if (!actual.is_string() || !std::regex_search(actual.get<std::string>(),
                                                    std::regex(arg.get<std::string>()))) {
        fail("a string matching /" + arg.get<std::string>() + "/");
      }
    } else if (key == "$any_of") {
      bool any = false;
      for (const auto& option : arg) any = any || matches(option, actual);
      if (!any) fail("any of " + shown(arg));
    } else if (key == "$all_of") {
      for (const auto& part : arg) match(part, actual, where, out);
    } else if (key == "$ne") {
      if (matches(arg, actual)) fail("anything but " + shown(arg));
    } else if (key == "$contains" || key == "$not_contains") {
      bool found = false;
      if (actual.is_array()) {
        for (const auto& element : actual) found = found || matches(arg, element);
      }
      if (!actual.is_array()) fail("an array");
      else if (key == "$contains" && !found) fail("an element matching " + shown(arg));
      else if (key == "$not_contains" && found) fail("no element matching " + shown(arg));
    } else if (key == "$length") {
      const std::size_t length = actual.is_string() ? actual.get_ref<const std::string&>().size()
                                 : actual.is_array() || actual.is_object() ? actual.size()
                                                                            : std::string::npos;
      if (length != arg.get<std::size_t>()) fail("length " + shown(arg));
    } else if (key == "$gte" || key == "$lte") {
      const bool ok = actual.is_number() &&
                      (key == "$gte" ? actual.get<double>() >= arg.get<double>()
                                     : actual.get<double>() <= arg.get<double>());
      if (!ok) fail((key == "$gte" ? "at least " : "at most ") + shown(arg));
    } else {
      out.push_back(where + ": unknown matcher " + key);
    }
  }
}

}  // namespace

Result<nlohmann::json> interpolate(const nlohmann::json& value, const Aliases& aliases) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, child] : value.items()) {
      auto replaced = interpolate(child, aliases);
      if (!replaced.ok()) return replaced.status();
      out[key] = *replaced;
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& child : value) {
      auto replaced = interpolate(child, aliases);
      if (!replaced.ok()) return replaced.status();
      out.push_back(*replaced);
    }
    return out;
  }
  if (!value.is_string()) return value;
  const std::string& text = value.get_ref<const std::string&>();
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("{{", pos);
    if (open == std::string::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    const std::string name = text.substr(open + 2, close - open - 2);
    auto alias = aliases.find(name);
    if (alias == aliases.end()) {
      return Status(ErrorCode::kNotFound, "unknown alias {{" + name + "}}");
    }
    if (open == 0 && close + 2 == text.size()) return alias->second;  // the whole string
    out += text.substr(pos, open - pos);
    out += alias->second.is_string() ? alias->second.get<std::string>() : alias->second.dump();
    pos = close + 2;
  }
  out += text.substr(pos);
  return nlohmann::json(out);
}

void match(const nlohmann::json& expected, const nlohmann::json& actual, const std::string& where,
           std::vector<std::string>& mismatches) {
  if (is_matcher(expected)) {
    match_matcher(expected, actual, where, mismatches);
    return;
  }
  if (expected.is_object()) {
    if (!actual.is_object()) {
      mismatches.push_back(where + ": expected an object, got " + shown(actual));
      return;
    }
    for (const auto& [key, child] : expected.items()) {
      const std::string child_where = where.empty() ? key : where + "." + key;
      auto it = actual.find(key);
      match(child, it == actual.end() ? nlohmann::json(nlohmann::json::value_t::discarded) : *it,
            child_where, mismatches);
    }
    return;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      mismatches.push_back(where + ": expected " + shown(expected) + ", got " + shown(actual));
      return;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      match(expected[i], actual[i], where + "." + std::to_string(i), mismatches);
    }
    return;
  }
  const bool numbers_equal = expected.is_number() && actual.is_number() &&
                             expected.get<double>() == actual.get<double>();
  if (!(expected == actual || numbers_equal)) {
    mismatches.push_back(where + ": expected " + shown(expected) + ", got " + shown(actual));
  }
}

nlohmann::json value_at(const nlohmann::json& root, const std::string& dotted_path) {
  const nlohmann::json* current = &root;
  std::size_t pos = 0;
  while (pos <= dotted_path.size()) {
    const std::size_t dot = dotted_path.find('.', pos);
    const std::string key = dotted_path.substr(pos, dot - pos);
    if (current->is_object() && current->contains(key)) {
      current = &(*current)[key];
    } else if (current->is_array() && !key.empty() &&
               key.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(key) < current->size()) {
      current = &(*current)[std::stoul(key)];
    } else {
      return nlohmann::json(nlohmann::json::value_t::discarded);
    }
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return *current;
}

}  // namespace imagelib::conformance
