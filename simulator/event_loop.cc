#include "simulator/event_loop.h"

#include <algorithm>
#include <utility>

namespace imagelib::sim {

EventLoop::EventLoop(Timestamp epoch, bool keep_trace_lines)
    : epoch_(epoch), trace_(keep_trace_lines) {}

void EventLoop::schedule_at(SimTime at, std::string label, Action action) {
  queue_.push_back(Event{at < now_ ? now_ : at, next_sequence_++, std::move(label), std::move(action)});
  std::push_heap(queue_.begin(), queue_.end(), Later{});
}

bool EventLoop::step() {
  if (queue_.empty()) return false;
  std::pop_heap(queue_.begin(), queue_.end(), Later{});
  Event event = std::move(queue_.back());
  queue_.pop_back();
  now_ = event.at;
  ++events_run_;
  trace_.record(std::to_string(now_) + " " + event.label);
  event.action();
  return true;
}

std::optional<SimTime> EventLoop::next_event_time() const {
  if (queue_.empty()) return std::nullopt;
  return queue_.front().at;
}

void EventLoop::note(std::string_view line) {
  trace_.record(std::to_string(now_) + "   " + std::string(line));
}

}  // namespace imagelib::sim
