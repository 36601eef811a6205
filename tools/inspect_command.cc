#include "tools/inspect_command.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "reference/formats/inspect.h"
#include "tools/command.h"
#include "tools/file_blob.h"

namespace imagelib::cli {
namespace {

struct InspectArgs {
  std::string path;
  std::string output = "human";
};

nlohmann::json to_json(const std::string& path, const ImageReport& report) {
  nlohmann::json json = {{"filename", path},
                         {"format", report.format},
                         {"safe", report.safe},
                         {"compression", report.compression}};
  json["cluster_size"] = report.cluster_size ? nlohmann::json(*report.cluster_size) : nlohmann::json(nullptr);
  if (report.safe) {
    json["virtual_size"] = report.virtual_size;
    json["disk_size"] = report.disk_size;
    json["sha256"] = report.sha256;
  } else {
    json["reason"] = report.reason;
  }
  return json;
}

void print_human(std::ostream& out, const std::string& path, const ImageReport& report) {
  out << "image: " << path << "\n"
      << "format: " << report.format << "\n";
  if (report.safe) {
    out << "virtual size: " << report.virtual_size << " bytes\n"
        << "disk size: " << report.disk_size << " bytes\n";
  }
  if (report.cluster_size) out << "cluster size: " << *report.cluster_size << "\n";
  out << "compression: " << report.compression << "\n";
  if (report.safe) out << "sha256: " << report.sha256 << "\n";
  out << "safe: " << (report.safe ? "yes" : "no: " + report.reason) << "\n";
}

int run_inspect(const InspectArgs& args) {
  auto file = FileSource::open(args.path);
  if (!file.ok()) return fail(file.status().message());
  const ImageReport report = inspect_image(*file, DecodeLimits{});
  if (args.output == "json") {
    std::cout << to_json(args.path, report).dump(2) << "\n";
  } else {
    print_human(std::cout, args.path, report);
  }
  return report.safe ? 0 : 1;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "inspect", "Probe an image file, check it is safe and report its format and sizes");
  auto args = std::make_shared<InspectArgs>();
  command->add_option("file", args->path, "The image file")->required();
  command->add_option("--output", args->output, "human or json")
      ->check(CLI::IsMember({"human", "json"}))
      ->capture_default_str();
  command->callback([args, &exit_code] { exit_code = run_inspect(*args); });
}

}  // namespace imagelib::cli
