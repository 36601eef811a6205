// A one-line progress bar on standard error for long client operations
// (FTPS uploads and downloads, convert -p, replay): done/total, percentage,
// rate and ETA, redrawn in place with '\r'. It draws only when standard
// error is a terminal and the caller did not ask for quiet (-q), so piped
// and scripted runs stay clean. Callers: tools/ commands. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "reference/base/bytes.h"

namespace imagelib::cli {

enum class ProgressUnit : std::uint8_t { kBytes, kItems };

// True when standard error is a terminal (isatty).
bool stderr_is_terminal();

// The bar's text for `done` of `total` after `elapsed_seconds`, at most
// `width` characters: "LABEL [#####     ]  45%  1.2 MiB/2.5 MiB  3.1 MiB/s  ETA 0:03".
// A total of 0 means unknown (no bar, no percentage, no ETA).
std::string format_progress_line(const std::string& label, std::uint64_t done, std::uint64_t total,
                                 double elapsed_seconds, ProgressUnit unit, std::size_t width);

// "512 B", "1.5 KiB", "3.2 MiB", "1.0 GiB".
std::string format_bytes(double bytes);

class ProgressBar {
 public:
  // Draws only when `enabled` (see progress_wanted).
  ProgressBar(std::string label, std::uint64_t total, bool enabled,
              ProgressUnit unit = ProgressUnit::kBytes);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void set_total(std::uint64_t total) { total_ = total; }
  // Records progress; redraws at most ten times a second.
  void update(std::uint64_t done);
  void add(std::uint64_t delta) { update(done_ + delta); }
  // Draws the final state and ends the line (once; the destructor calls it).
  void finish();

 private:
  void draw();

  std::string label_;
  std::uint64_t total_;
  bool enabled_;
  ProgressUnit unit_;
  std::uint64_t done_ = 0;
  bool finished_ = false;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_draw_;
};

// A source whose reads move `bar` to the furthest byte read so far: an
// upload reads its file in order; a conversion mostly does. Reads may come
// from several threads (a parallel decode); the bar is moved under a lock.
class ProgressSource final : public RandomAccessSource {
 public:
  ProgressSource(std::shared_ptr<const RandomAccessSource> inner, ProgressBar& bar)
      : inner_(std::move(inner)), bar_(bar) {}
  std::uint64_t size() const override { return inner_->size(); }
  Status read_at(std::uint64_t offset, MutableByteView out) const override;
  DataRange data_range_from(std::uint64_t offset) const override {
    return inner_->data_range_from(offset);
  }

 private:
  std::shared_ptr<const RandomAccessSource> inner_;
  ProgressBar& bar_;
  mutable std::mutex mutex_;
  mutable std::uint64_t furthest_ = 0;
};

// Progress is wanted when standard error is a terminal and not `quiet`.
inline bool progress_wanted(bool quiet) { return !quiet && stderr_is_terminal(); }

}  // namespace imagelib::cli
