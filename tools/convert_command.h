// `imagelib convert IN OUT -O raw|qcow2 [-c]`: decodes any accepted upload
// (probed, checked) and writes it as a sparse raw disk or a qcow2, with
// reference/formats/convert.h. Registered by imagelib_main.cc.
#pragma once

#include <CLI/CLI.hpp>

namespace imagelib::cli {

// Exit status 0 on success; 1 with the reason when the input is refused or
// the output cannot be written (a partial output file is removed).
void add_convert_command(CLI::App& app, int& exit_code);

}  // namespace imagelib::cli
