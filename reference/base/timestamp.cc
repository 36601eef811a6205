#include "reference/base/timestamp.h"

#include <charconv>
#include <cstdio>

namespace imagelib {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

bool parse_uint(std::string_view text, unsigned& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

CivilTime to_civil(Timestamp t) {
  const std::int64_t seconds = floor_div(t.micros(), 1'000'000);
  const std::int64_t days = floor_div(seconds, kSecondsPerDay);
  const auto secs_of_day = static_cast<unsigned>(seconds - days * kSecondsPerDay);
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  return CivilTime{static_cast<int>(y), m, d, secs_of_day / 3600, secs_of_day / 60 % 60,
                   secs_of_day % 60};
}

Timestamp from_civil(const CivilTime& c) {
  const std::int64_t days = days_from_civil(c.year, c.month, c.day);
  return Timestamp::from_unix_seconds(days * kSecondsPerDay + c.hour * 3600 + c.minute * 60 +
                                      c.second);
}

std::string Timestamp::iso8601() const {
  const CivilTime c = to_civil(*this);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02uZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

std::string Timestamp::date() const { return iso8601().substr(0, 10); }

std::optional<Timestamp> Timestamp::parse_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS then optional .fraction then Z
  if (text.size() < 20 || text.back() != 'Z' || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
  if (!parse_uint(text.substr(0, 4), year) || !parse_uint(text.substr(5, 2), month) ||
      !parse_uint(text.substr(8, 2), day) || !parse_uint(text.substr(11, 2), hour) ||
      !parse_uint(text.substr(14, 2), minute) || !parse_uint(text.substr(17, 2), second)) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2 || rest.size() > 7) return std::nullopt;
    std::string digits(rest.substr(1));
    digits.resize(6, '0');
    if (!parse_uint(digits, micros)) return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const Timestamp whole =
      from_civil(CivilTime{static_cast<int>(year), month, day, hour, minute, second});
  return whole + Duration(micros);
}

}  // namespace imagelib
