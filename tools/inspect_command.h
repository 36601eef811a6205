// `imagelib inspect FILE [--output json]`: what the service would make of an
// upload (format, sizes, cluster size, compression, safety verdict and
// reason), from reference/formats/inspect.h. Registered by imagelib_main.cc.
#pragma once

#include <CLI/CLI.hpp>

namespace imagelib::cli {

// Exit status 0 when the file is safe, 1 when it is refused or unreadable.
void add_inspect_command(CLI::App& app, int& exit_code);

}  // namespace imagelib::cli
