// imagelib report merge: joins the JSON reports of several runs (shards of one
// run on many machines) into one, printed and written as JSON and JUnit.
#include <fstream>
#include <sstream>

#include "conformance/report.h"
#include "tools/command.h"

namespace imagelib::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string json;
  std::string junit;
};

int run_merge(const MergeOptions& options) {
  std::vector<nlohmann::json> reports;
  for (const auto& path : options.inputs) {
    std::ifstream in(path);
    if (!in) return fail(path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    auto json = nlohmann::json::parse(text.str(), nullptr, false);
    if (json.is_discarded() || !json.is_object()) return fail(path + ": not a JSON report");
    reports.push_back(std::move(json));
  }
  const auto merged = conformance::merge_reports(reports);
  conformance::print_console(merged, std::cout);
  if (!options.json.empty()) std::ofstream(options.json) << conformance::to_json(merged).dump(2) << "\n";
  if (!options.junit.empty()) std::ofstream(options.junit) << conformance::to_junit_xml(merged);
  return conformance::tally(merged).failed == 0 ? 0 : 1;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto* report = app.add_subcommand("report", "Work with conformance reports");
  report->require_subcommand(1);
  auto options = std::make_shared<MergeOptions>();
  auto* merge = report->add_subcommand("merge", "Join JSON reports into one");
  merge->add_option("reports", options->inputs, "JSON reports (from --json)")->required();
  merge->add_option("--json", options->json, "Write the merged JSON report here");
  merge->add_option("--junit", options->junit, "Write the merged JUnit XML report here");
  merge->callback([options, &exit_code] { exit_code = run_merge(*options); });
}

}  // namespace imagelib::cli
