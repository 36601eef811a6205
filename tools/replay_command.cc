// imagelib replay: plays scenario files against a target and reports.
#include <filesystem>
#include <fstream>

#include "conformance/direct_target.h"
#include "conformance/report.h"
#include "conformance/target_spec.h"
#include "tools/command.h"
#include "tools/progress.h"

namespace imagelib::cli {
namespace {

struct ReplayOptions {
  std::string target = "direct";
  std::vector<std::string> paths;
  std::string junit;
  std::string json;
  std::string shard;  // "I/N"
  bool compare = true;
  bool quiet = false;
};

Result<std::pair<std::size_t, std::size_t>> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      const std::size_t index = std::stoul(text.substr(0, slash));
      const std::size_t count = std::stoul(text.substr(slash + 1));
      if (count > 0 && index < count) return std::make_pair(index, count);
    }
  } catch (const std::exception&) {
  }
  return Status(ErrorCode::kBadRequest, "--shard takes I/N with 0 <= I < N, not \"" + text + "\"");
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int run_replay(const ReplayOptions& options) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : options.paths) {
    if (!std::filesystem::exists(path)) return fail(path + ": no such file or folder");
    for (auto& file : conformance::find_scenario_files(path)) files.push_back(file);
  }
  if (!options.shard.empty()) {
    auto shard = parse_shard(options.shard);
    if (!shard.ok()) return fail(shard.status().message());
    std::vector<std::filesystem::path> mine;
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (i % shard->second == shard->first) mine.push_back(files[i]);
    }
    files = std::move(mine);
  }
  auto probe = conformance::make_target(options.target);
  if (!probe.ok()) return fail(probe.status().message());

  conformance::RunReport report{(*probe)->name(),
                                "imagelib replay --target " + options.target + " {scenario}", {}};
  ProgressBar bar("replay", files.size(), progress_wanted(options.quiet), ProgressUnit::kItems);
  for (const auto& file : files) {
    auto scenario = conformance::load_scenario(file);
    if (!scenario.ok()) return fail(scenario.status().message());
    // Each scenario starts from a fresh target and, unless the target is the
    // reference itself, a fresh reference to compare with.
    auto target = conformance::make_target(options.target);
    if (!target.ok()) return fail(target.status().message());
    conformance::DirectTarget model;
    const bool compare = options.compare && (*target)->name() != "direct";
    report.results.push_back(conformance::run_scenario(*scenario, **target, compare ? &model : nullptr));
    bar.add(1);
  }
  bar.finish();
  conformance::print_console(report, std::cout);
  if (!options.junit.empty() && !write_text(options.junit, conformance::to_junit_xml(report))) {
    return fail("cannot write " + options.junit);
  }
  if (!options.json.empty() && !write_text(options.json, conformance::to_json(report).dump(2) + "\n")) {
    return fail("cannot write " + options.json);
  }
  return conformance::tally(report).failed == 0 ? 0 : 1;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReplayOptions>();
  auto* command = app.add_subcommand("replay", "Replay scenario files against a target and report");
  command->add_option("paths", options->paths, "Scenario files or folders (default: scenarios/)");
  command->add_option("-t,--target", options->target, "direct[:SEED]")->capture_default_str();
  command->add_option("--junit", options->junit, "Write a JUnit XML report to this file");
  command->add_option("--json", options->json, "Write a JSON report to this file");
  command->add_option("--shard", options->shard, "Run only shard I of N (I/N, counting from 0)");
  command->add_flag("!--no-compare", options->compare,
                    "Do not compare each answer with the reference's answer");
  command->add_flag("-q,--quiet", options->quiet, "No progress bar");
  command->callback([options, &exit_code] {
    if (options->paths.empty()) options->paths.push_back("scenarios");
    exit_code = run_replay(*options);
  });
}

}  // namespace imagelib::cli
