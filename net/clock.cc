#include "net/clock.h"

#include <chrono>

namespace imagelib::net {

Timestamp wall_clock_now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp::from_micros(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count());
}

}  // namespace imagelib::net
