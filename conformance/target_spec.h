// Makes a Target from its command-line name: "direct[:SEED]" (the reference
// in process) — the simulated and remote targets register here as they land.
#pragma once

#include <memory>
#include <string>

#include "conformance/target.h"

namespace imagelib::conformance {

Result<std::unique_ptr<Target>> make_target(const std::string& spec);

}  // namespace imagelib::conformance
