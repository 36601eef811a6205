#include "simulator/event_loop.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace imagelib::sim {
namespace {

const Timestamp kEpoch = Timestamp::from_unix_seconds(1305806400);

TEST(EventLoopTest, RunsEventsByTimeThenInSchedulingOrder) {
  EventLoop loop(kEpoch, false);
  std::vector<std::string> ran;
  loop.schedule_at(30, "c", [&] { ran.push_back("c"); });
  loop.schedule_at(10, "a", [&] { ran.push_back("a"); });
  loop.schedule_at(30, "d", [&] { ran.push_back("d"); });
  loop.schedule_at(10, "b", [&] { ran.push_back("b"); });
  while (loop.step()) {
  }
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(loop.now(), 30);
  EXPECT_EQ(loop.events_run(), 4u);
}

TEST(EventLoopTest, ClockJumpsToTheNextEventAndWallTimeFollows) {
  EventLoop loop(kEpoch, false);
  loop.schedule_after(5 * kSecond, "later", [] {});
  EXPECT_EQ(loop.next_event_time(), 5 * kSecond);
  ASSERT_TRUE(loop.step());
  EXPECT_EQ(loop.now(), 5 * kSecond);
  EXPECT_EQ(loop.wall_now(), kEpoch + std::chrono::seconds(5));
  EXPECT_FALSE(loop.step());
}

TEST(EventLoopTest, EventsScheduledInThePastRunNow) {
  EventLoop loop(kEpoch, false);
  loop.schedule_at(100, "first", [&] { loop.schedule_at(50, "past", [] {}); });
  ASSERT_TRUE(loop.step());
  EXPECT_EQ(loop.next_event_time(), 100);
}

TEST(EventLoopTest, TraceKeepsOneLinePerEventAndNotes) {
  EventLoop loop(kEpoch, true);
  loop.schedule_at(7, "deliver", [&] { loop.note("detail"); });
  ASSERT_TRUE(loop.step());
  EXPECT_EQ(loop.trace().lines(), (std::vector<std::string>{"7 deliver", "7   detail"}));
  EXPECT_EQ(loop.trace().line_count(), 2u);
}

TEST(EventLoopTest, SameEventsGiveTheSameHashAndOtherTimesAnother) {
  auto run = [](SimTime second_at) {
    EventLoop loop(kEpoch, false);
    loop.schedule_at(1, "one", [] {});
    loop.schedule_at(second_at, "two", [] {});
    while (loop.step()) {
    }
    return loop.trace().hash();
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

TEST(TraceTest, Hex16PadsWithZeros) {
  EXPECT_EQ(hex16(0xabc), "0000000000000abc");
  EXPECT_EQ(hex16(0xffffffffffffffffULL), "ffffffffffffffff");
}

}  // namespace
}  // namespace imagelib::sim
