#include <filesystem>
#include <fstream>

#include "conformance/scenario_families.h"
#include "tools/command.h"

namespace imagelib::cli {

void add_scenarios_command(CLI::App& app, int& exit_code) {
  auto* scenarios = app.add_subcommand("scenarios", "Work with scenario files");
  scenarios->require_subcommand(1);
  auto* generate = scenarios->add_subcommand(
      "generate", "Write the generated scenario families (endpoint x credential, field x update, "
                  "status x observer) into a folder");
  auto folder = std::make_shared<std::string>();
  generate->add_option("folder", *folder, "Where to write them (scenarios/generated in a checkout)")->required();
  generate->callback([folder, &exit_code] {
    std::error_code error;
    std::filesystem::create_directories(*folder, error);
    if (error) {
      exit_code = fail("cannot create " + *folder + ": " + error.message());
      return;
    }
    for (const auto& file : conformance::scenario_families()) {
      const auto path = std::filesystem::path(*folder) / file.name;
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << file.scenario.dump(2) << "\n";
      if (!out.flush()) {
        exit_code = fail("cannot write " + path.string());
        return;
      }
      std::cout << path.string() << "\n";
    }
    exit_code = 0;
  });
}

}  // namespace imagelib::cli
