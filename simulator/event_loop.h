// EventLoop: the simulator's virtual clock and its one event queue. Events
// run in (time, sequence) order, the sequence being a counter that keeps
// same-time events first-in first-out; the clock jumps to the next event.
// Each event run appends "<time> <label>" to the trace. Single-threaded:
// every host, link and workload of one run shares one loop.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "reference/base/timestamp.h"
#include "simulator/trace.h"

namespace imagelib::sim {

// Virtual microseconds since the start of the run.
using SimTime = std::int64_t;

inline constexpr SimTime kMillisecond = 1'000;
inline constexpr SimTime kSecond = 1'000'000;

class EventLoop {
 public:
  using Action = std::function<void()>;

  // `epoch` is the wall-clock Timestamp that virtual time 0 stands for.
  EventLoop(Timestamp epoch, bool keep_trace_lines);

  SimTime now() const { return now_; }
  Timestamp wall_now() const { return epoch_ + Duration(now_); }

  // Runs `action` at `at` (never before now). `label` names it in the trace.
  void schedule_at(SimTime at, std::string label, Action action);
  void schedule_after(SimTime delay, std::string label, Action action) {
    schedule_at(now_ + delay, std::move(label), std::move(action));
  }

  // Runs the earliest event; false when the queue is empty.
  bool step();
  std::optional<SimTime> next_event_time() const;
  bool idle() const { return queue_.empty(); }

  // A line of detail about what the current event did (a reply, a fault).
  void note(std::string_view line);

  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }
  std::uint64_t events_run() const { return events_run_; }

 private:
  struct Event {
    SimTime at;
    std::uint64_t sequence;
    std::string label;
    Action action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
    }
  };

  Timestamp epoch_;
  SimTime now_ = 0;
  std::uint64_t next_sequence_ = 0;
  std::uint64_t events_run_ = 0;
  std::vector<Event> queue_;  // a heap ordered by Later: the earliest on top
  Trace trace_;
};

}  // namespace imagelib::sim
