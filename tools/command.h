// How imagelib's subcommands plug into the one `imagelib` command: each lives
// in its own file and offers `void add_<name>_command(CLI::App& app, int& exit_code)`,
// which adds the subcommand with its options and a callback that runs it and
// stores its exit status in `exit_code`. imagelib_main.cc calls each adder
// once. Errors are printed to standard error as `ERROR: ...` with a non-zero
// exit status, as brightbox-cli does.
#pragma once

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

namespace imagelib::cli {

inline int fail(const std::string& message) {
  std::cerr << "ERROR: " << message << "\n";
  return 1;
}

void add_walkthrough_command(CLI::App& app, int& exit_code);
void add_replay_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_scenarios_command(CLI::App& app, int& exit_code);
void add_fuzz_command(CLI::App& app, int& exit_code);
void add_accounts_command(CLI::App& app, int& exit_code);
void add_images_command(CLI::App& app, int& exit_code);
void add_servers_command(CLI::App& app, int& exit_code);
void add_types_command(CLI::App& app, int& exit_code);
void add_ftp_command(CLI::App& app, int& exit_code);
void add_completion_command(CLI::App& app, int& exit_code);

}  // namespace imagelib::cli
