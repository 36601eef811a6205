// The wall clock of the real deployment: the only place the network layer
// reads time from (the core receives it as an argument). Callers: net/ only.
#pragma once

#include "reference/base/timestamp.h"

namespace imagelib::net {

// The current UTC time.
Timestamp wall_clock_now();

}  // namespace imagelib::net
