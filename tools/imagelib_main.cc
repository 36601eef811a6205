// The imagelib command: one entry point for every tool of the project.
#include <CLI/CLI.hpp>

#include <iostream>

#include "tools/walkthrough.h"

int main(int argc, char** argv) {
  CLI::App app{"imagelib: reference image library, simulator, conformance and benchmark harness"};
  app.set_version_flag("--version", std::string("imagelib ") + IMAGELIB_VERSION);
  app.require_subcommand(1);

  std::uint64_t seed = 1;
  auto* walkthrough = app.add_subcommand(
      "walkthrough", "Run the seed document's journey against the embedded reference and print it");
  walkthrough->add_option("--seed", seed, "Seed of the reference's ids and secrets")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*walkthrough) return imagelib::cli::run_walkthrough(std::cout, seed) == 0 ? 0 : 1;
  return 0;
}
