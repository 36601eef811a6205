// `imagelib sim`: runs the deterministic network simulator's workload for a
// seed (or a range of seeds) under a fault profile, prints the seed, the
// fault settings, a summary and `trace hash: <16 hex>`, and exits non-zero
// with the seed that replays it when an invariant broke. Registered by
// imagelib_main.cc with add_sim_command() (the convention of tools/command.h).
#pragma once

#include <CLI/CLI.hpp>

namespace imagelib::cli {

void add_sim_command(CLI::App& app, int& exit_code);

}  // namespace imagelib::cli
