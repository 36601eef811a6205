#include "conformance/scenario.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "conformance/json_schema.h"

namespace imagelib::conformance {
namespace {

const JsonSchema& scenario_schema() {
  static const JsonSchema schema(nlohmann::json::parse(
#include "conformance/scenario_schema.inc"
      ));
  return schema;
}

// "/steps/2/api/method" -> "step 3, /api/method"
std::string describe_pointer(const std::string& pointer) {
  const std::string prefix = "/steps/";
  if (pointer.rfind(prefix, 0) != 0) return pointer;
  const std::size_t end = pointer.find('/', prefix.size());
  const std::string index = pointer.substr(prefix.size(), end - prefix.size());
  std::size_t step = 0;
  try {
    step = std::stoul(index) + 1;
  } catch (const std::exception&) {
    return pointer;
  }
  std::string rest = end == std::string::npos ? "" : pointer.substr(end);
  return "step " + std::to_string(step) + (rest.empty() ? "" : ", " + rest);
}

// What the schema cannot say about a fault step: the field at fault and why,
// or nullopt when the step is sound.
std::optional<std::pair<std::string, std::string>> fault_step_problem(
    const nlohmann::json& fault, const std::set<std::string>& requires_features) {
  if (requires_features.count("fault_injection") == 0) {
    return std::make_pair("", "a fault step needs \"fault_injection\" in the scenario's requires");
  }
  const std::string kind = fault["kind"];
  if (kind == "heal") {
    for (const char* field : {"link", "after_bytes", "for", "down_for", "client_retries"}) {
      if (fault.contains(field)) {
        return std::make_pair(std::string("/") + field, "a heal takes no " + std::string(field));
      }
    }
  }
  if (kind == "disconnect" && !fault.contains("after_bytes")) {
    return std::make_pair("/after_bytes", "a disconnect needs after_bytes and link");
  }
  if (fault.contains("after_bytes") != fault.contains("link")) {
    return std::make_pair(fault.contains("link") ? "/link" : "/after_bytes",
                          "link and after_bytes go together");
  }
  if (fault.contains("for") && kind != "partition") {
    return std::make_pair("/for", "only a partition lasts for a time");
  }
  if (fault.contains("down_for") && kind != "restart_library") {
    return std::make_pair("/down_for", "only a restart_library is down for a time");
  }
  return std::nullopt;
}

}  // namespace

Result<Scenario> parse_scenario(const std::string& text, const std::string& path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status(ErrorCode::kBadRequest, path + ": not valid JSON: " + e.what());
  }
  const auto errors = scenario_schema().validate(json);
  if (!errors.empty()) {
    std::string message = path + ": " + describe_pointer(errors.front().pointer) + ": " +
                          errors.front().message;
    if (errors.size() > 1) message += " (and " + std::to_string(errors.size() - 1) + " more)";
    return Status(ErrorCode::kBadRequest, message);
  }
  Scenario scenario;
  scenario.path = path;
  scenario.name = json["name"];
  scenario.description = json.value("description", "");
  for (const auto& feature : json.value("requires", nlohmann::json::array())) {
    scenario.requires_features.insert(feature.get<std::string>());
  }
  // Bound to a name: items() of a temporary would dangle in a range-for.
  const nlohmann::json actors = json.value("actors", nlohmann::json::object());
  for (const auto& [actor, role] : actors.items()) {
    scenario.actors[actor] = role.get<std::string>();
  }
  for (const auto& step : json["steps"]) scenario.steps.push_back(step);
  for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
    const auto& step = scenario.steps[i];
    if (step.contains("fault")) {
      if (auto problem = fault_step_problem(step["fault"], scenario.requires_features)) {
        return Status(ErrorCode::kBadRequest, path + ": step " + std::to_string(i + 1) +
                                                  ", /fault" + problem->first + ": " +
                                                  problem->second);
      }
    }
    // Steps may only act as declared actors or the two accounts themselves.
    if (!step.contains("as")) continue;
    const std::string actor = step["as"];
    if (actor != "main" && actor != "alt" && scenario.actors.count(actor) == 0) {
      return Status(ErrorCode::kBadRequest, path + ": step " + std::to_string(i + 1) +
                                                ", /as: unknown actor \"" + actor + "\"");
    }
  }
  return scenario;
}

Result<Scenario> load_scenario(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(ErrorCode::kNotFound, path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path.string());
}

std::vector<std::filesystem::path> find_scenario_files(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_regular_file(root)) return {root};
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json" &&
        it->path().filename() != "scenario.schema.json") {
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string account_role_of(const Scenario& scenario, const nlohmann::json& step) {
  const std::string actor = step.value("as", "main");
  auto it = scenario.actors.find(actor);
  return it == scenario.actors.end() ? actor : it->second;
}

}  // namespace imagelib::conformance
