#include "net/login_throttle.h"

#include <gtest/gtest.h>

namespace imagelib::net {
namespace {

using std::chrono::seconds;
using Clock = LoginThrottle::Clock;

const Clock::time_point kStart = Clock::time_point{} + std::chrono::hours(1);

LoginThrottle throttle_with(std::uint32_t delay_after, std::uint32_t max_failures) {
  LoginThrottleLimits limits;
  limits.delay_after = delay_after;
  limits.max_failures = max_failures;
  limits.window = seconds(600);
  limits.max_delay = seconds(30);
  return LoginThrottle(limits);
}

void fail(LoginThrottle& throttle, const std::string& address, int times, Clock::time_point at) {
  for (int i = 0; i < times; ++i) throttle.record_failure(address, at);
}

TEST(LoginThrottle, NoDelayBelowTheThresholdThenOneSecondDoublingToTheCap) {
  LoginThrottle throttle = throttle_with(3, 100);
  fail(throttle, "192.0.2.1", 2, kStart);
  EXPECT_EQ(throttle.delay("192.0.2.1", kStart), Clock::duration::zero());
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 8; ++i) {
    throttle.record_failure("192.0.2.1", kStart);
    delays.push_back(std::chrono::duration_cast<seconds>(throttle.delay("192.0.2.1", kStart)).count());
  }
  EXPECT_EQ(delays, (std::vector<std::int64_t>{1, 2, 4, 8, 16, 30, 30, 30}));
  EXPECT_EQ(throttle.refused_for("192.0.2.1", kStart), std::nullopt);
}

TEST(LoginThrottle, RefusesAtTheCapUntilTheWindowPassesSinceTheLastFailure) {
  LoginThrottle throttle = throttle_with(2, 4);
  fail(throttle, "192.0.2.1", 3, kStart);
  EXPECT_EQ(throttle.refused_for("192.0.2.1", kStart), std::nullopt);
  throttle.record_failure("192.0.2.1", kStart + seconds(100));
  EXPECT_EQ(throttle.refused_for("192.0.2.1", kStart + seconds(100)), seconds(600));
  EXPECT_EQ(throttle.refused_for("192.0.2.1", kStart + seconds(400)), seconds(300));
  EXPECT_EQ(throttle.refused_for("192.0.2.1", kStart + seconds(700)), std::nullopt);
  EXPECT_EQ(throttle.delay("192.0.2.1", kStart + seconds(700)), Clock::duration::zero());
  // Forgotten: counting starts again.
  throttle.record_failure("192.0.2.1", kStart + seconds(701));
  EXPECT_EQ(throttle.delay("192.0.2.1", kStart + seconds(701)), Clock::duration::zero());
}

TEST(LoginThrottle, OtherAddressesAreNotAffected) {
  LoginThrottle throttle = throttle_with(2, 4);
  fail(throttle, "192.0.2.1", 10, kStart);
  EXPECT_NE(throttle.refused_for("192.0.2.1", kStart), std::nullopt);
  EXPECT_EQ(throttle.refused_for("192.0.2.2", kStart), std::nullopt);
  EXPECT_EQ(throttle.delay("192.0.2.2", kStart), Clock::duration::zero());
}

TEST(LoginThrottle, ASweepOfAddressesForgetsOneTimersNotARefusedAddress) {
  LoginThrottleLimits limits;
  limits.delay_after = 1;
  limits.max_failures = 3;
  limits.max_addresses = 4;
  LoginThrottle throttle(limits);
  fail(throttle, "198.51.100.1", 3, kStart);
  for (int i = 0; i < 40; ++i) {
    throttle.record_failure("203.0.113." + std::to_string(i), kStart + seconds(i + 1));
  }
  EXPECT_NE(throttle.refused_for("198.51.100.1", kStart + seconds(50)), std::nullopt);
  EXPECT_EQ(throttle.delay("203.0.113.0", kStart + seconds(50)), Clock::duration::zero());  // forgotten
  EXPECT_EQ(throttle.delay("203.0.113.39", kStart + seconds(50)), seconds(1));              // remembered
}

}  // namespace
}  // namespace imagelib::net
