// The imagelib command: one entry point for every tool of the project. Each
// subcommand lives in its own file (see command.h).
#include <CLI/CLI.hpp>

#include "tools/command.h"
#include "tools/convert_command.h"
#include "tools/inspect_command.h"
#include "tools/serve_command.h"
#include "tools/sim_command.h"

int main(int argc, char** argv) {
  CLI::App app{"imagelib: reference image library, simulator, conformance and benchmark harness"};
  app.set_version_flag("--version", std::string("imagelib ") + IMAGELIB_VERSION);
  app.require_subcommand(1);
  app.failure_message([](const CLI::App*, const CLI::Error& e) { return "ERROR: " + std::string(e.what()) + "\n"; });

  int exit_code = 0;
  imagelib::cli::add_walkthrough_command(app, exit_code);
  imagelib::cli::add_inspect_command(app, exit_code);
  imagelib::cli::add_convert_command(app, exit_code);
  imagelib::cli::add_replay_command(app, exit_code);
  imagelib::cli::add_scenarios_command(app, exit_code);
  imagelib::cli::add_report_command(app, exit_code);
  imagelib::cli::add_fuzz_command(app, exit_code);
  imagelib::cli::add_serve_command(app, exit_code);
  imagelib::cli::add_sim_command(app, exit_code);
  imagelib::cli::add_accounts_command(app, exit_code);
  imagelib::cli::add_images_command(app, exit_code);
  imagelib::cli::add_servers_command(app, exit_code);
  imagelib::cli::add_types_command(app, exit_code);
  imagelib::cli::add_ftp_command(app, exit_code);
  imagelib::cli::add_completion_command(app, exit_code);  // last: it walks the others

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
