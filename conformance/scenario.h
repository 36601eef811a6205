// Scenario files (scenarios/README.md): loading, validation against the
// scenario schema, and the values a run substitutes into them.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/base/status.h"

namespace imagelib::conformance {

struct Scenario {
  std::string path;  // where it was loaded from, for reports
  std::string name;
  std::string description;
  std::set<std::string> requires_features;
  std::map<std::string, std::string> actors;  // actor name -> "main" | "alt"
  std::vector<nlohmann::json> steps;          // validated against the schema
};

// Parses and validates one scenario. Errors name the file, the step (1-based)
// and the field: "scenarios/x.json: step 3, /api/method: must be one of ...".
// Beyond the schema: steps act as known actors, and fault steps are only in
// scenarios that require "fault_injection" and carry the fields their kind
// uses.
Result<Scenario> parse_scenario(const std::string& text, const std::string& path);
Result<Scenario> load_scenario(const std::filesystem::path& path);

// Every *.json file under `root` (a file or a folder, recursively), sorted by
// path, skipping the schema itself.
std::vector<std::filesystem::path> find_scenario_files(const std::filesystem::path& root);

// The actor a step acts as: its "as" field mapped through the scenario's
// actors, "main" when absent.
std::string account_role_of(const Scenario& scenario, const nlohmann::json& step);

}  // namespace imagelib::conformance
