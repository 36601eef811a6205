#include "conformance/scenario.h"

#include <algorithm>
#include <fstream>
#include <sstream>

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
  scenario.simulation = json.value("simulation", nlohmann::json());
  for (const auto& step : json["steps"]) scenario.steps.push_back(step);
  // Steps may only act as declared actors or the two accounts themselves.
  for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
    const auto& step = scenario.steps[i];
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
