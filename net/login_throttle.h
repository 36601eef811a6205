// LoginThrottle: failed FTP logins and failed token requests counted per
// client address, shared by serve's FTP and API servers (SPEC §6). Below
// `delay_after` failures an attempt is answered at once; from there each one
// waits 1 s, doubling with every failure up to `max_delay`; at
// `max_failures` the address is refused (FTP `421` at connect, API `429`)
// until `window` has passed since its last failure, when it is forgotten.
// A success does not reset the count: an attacker holding one account
// would reset it between guesses. Other addresses are never affected.
// Times are given by the caller (steady clock), so tests choose them.
// Callers: LibraryHost (owner), FtpsServer, FtpsSession, ApiServer; on the
// io thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace imagelib::net {

struct LoginThrottleLimits {
  std::uint32_t delay_after = 5;
  std::uint32_t max_failures = 30;
  std::chrono::seconds window{600};
  std::chrono::seconds max_delay{30};
  // Addresses remembered at once; past it the one with the fewest failures
  // (then the oldest) is forgotten, so a sweep of many addresses can neither
  // grow memory without bound nor free an address that is being refused.
  std::size_t max_addresses = 65536;
};

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(LoginThrottleLimits limits = {}) : limits_(limits) {}

  const LoginThrottleLimits& limits() const { return limits_; }
  void record_failure(const std::string& address, Clock::time_point now);
  // How long the address's next attempt waits: zero below delay_after.
  Clock::duration delay(const std::string& address, Clock::time_point now) const;
  // When the address is refused now: how long until it may try again.
  std::optional<std::chrono::seconds> refused_for(const std::string& address,
                                                  Clock::time_point now) const;

 private:
  struct Failures {
    std::uint32_t count = 0;
    Clock::time_point last;
  };
  // The address's failures still inside the window, if any.
  const Failures* current(const std::string& address, Clock::time_point now) const;
  void forget_quietest(Clock::time_point now);

  LoginThrottleLimits limits_;
  std::map<std::string, Failures> by_address_;
};

}  // namespace imagelib::net
