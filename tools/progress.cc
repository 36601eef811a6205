#include "tools/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace imagelib::cli {
namespace {

constexpr std::size_t kDefaultWidth = 80;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::size_t terminal_width() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return kDefaultWidth;
}

std::string format_amount(double amount, ProgressUnit unit) {
  if (unit == ProgressUnit::kBytes) return format_bytes(amount);
  return std::to_string(static_cast<std::uint64_t>(amount));
}

std::string format_duration(double seconds) {
  const auto whole = static_cast<std::uint64_t>(std::llround(std::max(0.0, seconds)));
  char text[32];
  if (whole >= 3600) {
    std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", static_cast<unsigned long long>(whole / 3600),
                  static_cast<unsigned long long>(whole / 60 % 60), static_cast<unsigned long long>(whole % 60));
  } else {
    std::snprintf(text, sizeof text, "%llu:%02llu", static_cast<unsigned long long>(whole / 60),
                  static_cast<unsigned long long>(whole % 60));
  }
  return text;
}

}  // namespace

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string format_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < std::size(kUnits)) {
    bytes /= 1024.0;
    ++unit;
  }
  char text[32];
  if (unit == 0) {
    std::snprintf(text, sizeof text, "%.0f B", bytes);
  } else {
    std::snprintf(text, sizeof text, "%.1f %s", bytes, kUnits[unit]);
  }
  return text;
}

std::string format_progress_line(const std::string& label, std::uint64_t done, std::uint64_t total,
                                  double elapsed_seconds, ProgressUnit unit, std::size_t width) {
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0.0;
  std::string amounts = format_amount(static_cast<double>(done), unit);
  if (total > 0) amounts += "/" + format_amount(static_cast<double>(total), unit);
  char items_rate[32];
  std::snprintf(items_rate, sizeof items_rate, "%.1f", rate);
  std::string tail = "  " + amounts + "  " +
                     (unit == ProgressUnit::kBytes ? format_bytes(rate) : std::string(items_rate)) + "/s";
  std::string percent;
  if (total > 0) {
    const std::uint64_t shown = std::min(done, total);
    const double fraction = static_cast<double>(shown) / static_cast<double>(total);
    char text[8];
    std::snprintf(text, sizeof text, "%3d%%", static_cast<int>(fraction * 100.0));
    percent = text;
    const std::string eta = shown == total ? format_duration(elapsed_seconds)
                            : rate > 0     ? format_duration(static_cast<double>(total - shown) / rate)
                                           : "--:--";
    tail += (shown == total ? "  in " : "  ETA ") + eta;
    // The bar takes whatever room the text leaves, between 10 and 30 columns.
    const std::size_t fixed = label.size() + 3 + percent.size() + tail.size() + 1;
    const std::size_t room = width > fixed ? width - fixed : 0;
    const std::size_t bar = std::min<std::size_t>(30, room);
    if (bar >= 10) {
      const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(bar));
      return label + " [" + std::string(filled, '#') + std::string(bar - filled, ' ') + "] " +
             percent + tail;
    }
    return label + " " + percent + tail;
  }
  return label + tail;
}

ProgressBar::ProgressBar(std::string label, std::uint64_t total, bool enabled, ProgressUnit unit)
    : label_(std::move(label)), total_(total), enabled_(enabled), unit_(unit),
      started_(std::chrono::steady_clock::now()), last_draw_(started_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done) {
  done_ = done;
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  draw();
}

void ProgressBar::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  draw();
  std::cerr << "\n" << std::flush;
}

void ProgressBar::draw() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  const std::size_t width = terminal_width();
  std::string line = format_progress_line(label_, done_, total_, elapsed, unit_, width - 1);
  if (line.size() < width - 1) line += std::string(width - 1 - line.size(), ' ');
  std::cerr << "\r" << line << std::flush;
}

Status ProgressSource::read_at(std::uint64_t offset, MutableByteView out) const {
  Status status = inner_->read_at(offset, out);
  const std::lock_guard<std::mutex> lock(mutex_);
  if (status.ok() && offset + out.size() > furthest_) {
    furthest_ = offset + out.size();
    bar_.update(furthest_);
  }
  return status;
}

}  // namespace imagelib::cli
