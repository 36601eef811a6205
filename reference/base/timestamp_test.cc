#include "reference/base/timestamp.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace imagelib {
namespace {

TEST(Timestamp, FormatsIso8601InUtc) {
  EXPECT_EQ(Timestamp::from_unix_seconds(0).iso8601(), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Timestamp::from_unix_seconds(1305806400).iso8601(), "2011-05-19T12:00:00Z");
  EXPECT_EQ(Timestamp::from_unix_seconds(951782400).date(), "2000-02-29");
  EXPECT_EQ(Timestamp::from_unix_seconds(-1).iso8601(), "1969-12-31T23:59:59Z");
}

TEST(Timestamp, ParsesWhatItFormatsAndFractions) {
  auto t = Timestamp::parse_iso8601("2011-05-19T12:00:00Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->unix_seconds(), 1305806400);
  auto f = Timestamp::parse_iso8601("2011-05-19T12:00:00.25Z");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->micros(), 1305806400LL * 1'000'000 + 250'000);
}

TEST(Timestamp, RejectsMalformedText) {
  for (const char* bad : {"", "2011-05-19", "2011-05-19T12:00:00", "2011-13-19T12:00:00Z",
                          "2011-05-19T12:00:00+01:00", "2011-05-19T12:0a:00Z", "2011-05-19T12:00:00.Z"}) {
    EXPECT_FALSE(Timestamp::parse_iso8601(bad).has_value()) << bad;
  }
}

RC_GTEST_PROP(Timestamp, CivilRoundTrips, ()) {
  const auto seconds = *rc::gen::inRange<std::int64_t>(-5'000'000'000, 50'000'000'000);
  const Timestamp t = Timestamp::from_unix_seconds(seconds);
  RC_ASSERT(from_civil(to_civil(t)) == t);
  RC_ASSERT(Timestamp::parse_iso8601(t.iso8601()) == t);
}

}  // namespace
}  // namespace imagelib
