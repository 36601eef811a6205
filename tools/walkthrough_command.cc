#include <cstdint>

#include "tools/command.h"
#include "tools/walkthrough.h"

namespace imagelib::cli {

void add_walkthrough_command(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand(
      "walkthrough", "Run the seed document's journey against the embedded reference and print it");
  auto seed = std::make_shared<std::uint64_t>(1);
  command->add_option("--seed", *seed, "Seed of the reference's ids and secrets")->capture_default_str();
  command->callback([seed, &exit_code] {
    exit_code = run_walkthrough(std::cout, *seed) == 0 ? 0 : 1;
  });
}

}  // namespace imagelib::cli
