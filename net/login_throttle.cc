#include "net/login_throttle.h"

#include <algorithm>
#include <tuple>

namespace imagelib::net {

const LoginThrottle::Failures* LoginThrottle::current(const std::string& address,
                                                      Clock::time_point now) const {
  const auto found = by_address_.find(address);
  if (found == by_address_.end() || now - found->second.last >= limits_.window) return nullptr;
  return &found->second;
}

void LoginThrottle::record_failure(const std::string& address, Clock::time_point now) {
  if (by_address_.size() >= limits_.max_addresses && by_address_.count(address) == 0) {
    forget_quietest(now);
  }
  Failures& failures = by_address_[address];
  if (now - failures.last >= limits_.window) failures.count = 0;
  failures.count = std::min(failures.count + 1, limits_.max_failures);
  failures.last = now;
}

LoginThrottle::Clock::duration LoginThrottle::delay(const std::string& address,
                                                    Clock::time_point now) const {
  const Failures* failures = current(address, now);
  if (failures == nullptr || failures->count < limits_.delay_after) return Clock::duration::zero();
  // 1 s at delay_after failures, doubling; the shift is bounded before it can overflow.
  const std::uint32_t doublings = std::min<std::uint32_t>(failures->count - limits_.delay_after, 20);
  const auto grown = std::chrono::seconds(std::int64_t{1} << doublings);
  return std::min<Clock::duration>(grown, limits_.max_delay);
}

std::optional<std::chrono::seconds> LoginThrottle::refused_for(const std::string& address,
                                                               Clock::time_point now) const {
  const Failures* failures = current(address, now);
  if (failures == nullptr || failures->count < limits_.max_failures) return std::nullopt;
  const auto left = limits_.window - (now - failures->last);
  return std::max(std::chrono::seconds(1), std::chrono::ceil<std::chrono::seconds>(left));
}

void LoginThrottle::forget_quietest(Clock::time_point now) {
  std::erase_if(by_address_, [&](const auto& entry) { return now - entry.second.last >= limits_.window; });
  if (by_address_.size() < limits_.max_addresses) return;
  // Fewest failures first, then the oldest: addresses swept once each
  // cannot push out one that is being refused.
  const auto quietest = std::min_element(by_address_.begin(), by_address_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second.count, a.second.last) < std::tie(b.second.count, b.second.last);
  });
  by_address_.erase(quietest);
}

}  // namespace imagelib::net
