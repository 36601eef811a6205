// Runs a command-line tool (gzip, bzip2, xz, zstd, qemu-img) as a child
// process found on PATH, waits for it by pid and checks its exit status.
// For tests only.
#pragma once

#include <string>
#include <vector>

#include "reference/base/status.h"

namespace imagelib::testing {

// Runs argv[0] with the arguments; stdout goes to `stdout_path` when given
// (the compressors write there with -c). kInternal with the tool's stderr
// when it cannot start or exits non-zero.
Status run_tool(const std::vector<std::string>& argv, const std::string& stdout_path = "");

}  // namespace imagelib::testing
