// Makes a Target from its command-line name: "direct[:SEED]" (the reference
// in process), "sim:SEED[:PROFILE]" (over the simulated network, PROFILE
// none (default), flaky or hostile) or "remote:FILE" (a deployment named by a
// config file, conformance/remote_config.h).
#pragma once

#include <memory>
#include <string>

#include "conformance/target.h"

namespace imagelib::conformance {

Result<std::unique_ptr<Target>> make_target(const std::string& spec);

}  // namespace imagelib::conformance
