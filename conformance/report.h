// Reports of a conformance run: the console text a person reads, JUnit XML
// for CI systems, and JSON that `imagelib report merge` joins across shards.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner.h"

namespace imagelib::conformance {

struct RunReport {
  std::string target;
  std::string replay_command;  // the command that replays one scenario, with {scenario}
  std::vector<ScenarioResult> results;
};

struct Tally {
  std::size_t passed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
};
Tally tally(const RunReport& report);

// One line per scenario; for each failure the step, what was expected, what
// came back and the command that replays it; ends with
// "N passed, N failed, N skipped".
void print_console(const RunReport& report, std::ostream& out);
std::string to_junit_xml(const RunReport& report);
nlohmann::json to_json(const RunReport& report);
// Joins reports (e.g. shards of one run) into one.
RunReport merge_reports(const std::vector<nlohmann::json>& reports);

}  // namespace imagelib::conformance
