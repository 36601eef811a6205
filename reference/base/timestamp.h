// Timestamp: a point in virtual or real time, in microseconds since the Unix
// epoch, UTC. The core never reads a clock: every operation receives one.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace imagelib {

using Duration = std::chrono::microseconds;

class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp from_micros(std::int64_t micros) { return Timestamp(micros); }
  static constexpr Timestamp from_unix_seconds(std::int64_t seconds) {
    return Timestamp(seconds * 1'000'000);
  }
  // Parses "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"; nullopt for anything else.
  static std::optional<Timestamp> parse_iso8601(std::string_view text);

  constexpr std::int64_t micros() const { return micros_; }
  constexpr std::int64_t unix_seconds() const { return micros_ / 1'000'000; }

  std::string iso8601() const;  // "2011-05-19T12:00:00Z" (seconds precision)
  std::string date() const;     // "2011-05-19"

  constexpr Timestamp operator+(Duration d) const { return Timestamp(micros_ + d.count()); }
  constexpr Timestamp operator-(Duration d) const { return Timestamp(micros_ - d.count()); }
  constexpr Duration operator-(Timestamp other) const { return Duration(micros_ - other.micros_); }
  constexpr auto operator<=>(const Timestamp&) const = default;

 private:
  constexpr explicit Timestamp(std::int64_t micros) : micros_(micros) {}
  std::int64_t micros_ = 0;
};

// Broken-down UTC date and time, computed without the C library's time zone.
struct CivilTime {
  int year;
  unsigned month;   // 1..12
  unsigned day;     // 1..31
  unsigned hour;    // 0..23
  unsigned minute;  // 0..59
  unsigned second;  // 0..59
};
CivilTime to_civil(Timestamp t);
Timestamp from_civil(const CivilTime& c);

}  // namespace imagelib
