// ThreadPool: a fixed set of worker threads that run submitted tasks in the
// order they were submitted (each on whichever worker is free). The one place
// outside net/ that starts threads for decoding; the reference core never
// does (DESIGN.md). Thread-safe; the destructor runs every task already
// submitted, then joins the workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace imagelib::parallel {

class ThreadPool {
 public:
  explicit ThreadPool(std::size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  std::size_t size() const { return workers_.size(); }
  void submit(std::function<void()> task);

  // The threads a decode should use on this machine: its cores, at least one.
  static std::size_t default_threads();

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace imagelib::parallel
