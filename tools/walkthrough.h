// The seed document's journey, run against the embedded reference library
// and printed step by step: reset the FTP password, upload, register, list,
// compatibility mode, public, deprecated, build a server, snapshot.
#pragma once

#include <cstdint>
#include <ostream>

namespace imagelib::cli {

// Returns the number of steps whose outcome differed from the seed document.
int run_walkthrough(std::ostream& out, std::uint64_t seed);

}  // namespace imagelib::cli
