#include "simulator/fault_settings.h"

#include <sstream>

namespace imagelib::sim {
namespace {

// A probability between lo and hi, both given in parts per million, so that
// the printed value is exact.
double draw_chance(Rng& rng, std::int64_t lo_ppm, std::int64_t hi_ppm) {
  return static_cast<double>(rng.uniform_between(lo_ppm, hi_ppm)) / 1e6;
}

SimTime draw_time(Rng& rng, SimTime lo, SimTime hi) { return rng.uniform_between(lo, hi); }

}  // namespace

std::optional<FaultProfile> parse_fault_profile(std::string_view name) {
  if (name == "none") return FaultProfile::kNone;
  if (name == "flaky") return FaultProfile::kFlaky;
  if (name == "hostile") return FaultProfile::kHostile;
  return std::nullopt;
}

std::string_view to_string(FaultProfile profile) {
  switch (profile) {
    case FaultProfile::kNone: return "none";
    case FaultProfile::kFlaky: return "flaky";
    case FaultProfile::kHostile: return "hostile";
  }
  return "none";
}

FaultSettings choose_fault_settings(FaultProfile profile, Rng& rng) {
  FaultSettings s;
  s.profile = profile;
  // Every profile draws its latency and bandwidth, so that even a quiet
  // network differs from seed to seed.
  s.latency_min = draw_time(rng, 100, 5 * kMillisecond);
  s.latency_mean = static_cast<double>(draw_time(rng, 100, 20 * kMillisecond));
  s.bandwidth = static_cast<std::uint64_t>(rng.uniform_between(1, 100)) * 1024 * 1024;
  s.send_buffer = static_cast<std::uint64_t>(rng.uniform_between(4, 512)) * 1024;
  if (profile == FaultProfile::kNone) return s;

  const bool hostile = profile == FaultProfile::kHostile;
  s.latency_tail_chance = draw_chance(rng, 0, hostile ? 20'000 : 2'000);
  s.latency_tail = draw_time(rng, 50 * kMillisecond, hostile ? 3 * kSecond : 500 * kMillisecond);
  s.short_write_chance = draw_chance(rng, 100'000, hostile ? 900'000 : 500'000);
  s.split_chance = draw_chance(rng, 100'000, hostile ? 900'000 : 500'000);
  s.reset_chance = draw_chance(rng, 200, hostile ? 10'000 : 2'000);
  s.fault_period = draw_time(rng, 20 * kMillisecond, 200 * kMillisecond);
  s.partition_chance = draw_chance(rng, 1'000, hostile ? 60'000 : 10'000);
  s.partition_reset_chance = draw_chance(rng, 0, hostile ? 800'000 : 300'000);
  s.partition_mean = draw_time(rng, 100 * kMillisecond, hostile ? 5 * kSecond : kSecond);
  s.clog_chance = draw_chance(rng, 1'000, hostile ? 60'000 : 10'000);
  s.clog_mean = draw_time(rng, 10 * kMillisecond, hostile ? 3 * kSecond : 500 * kMillisecond);
  s.crash_chance = draw_chance(rng, hostile ? 2'000 : 200, hostile ? 20'000 : 3'000);
  s.restart_delay = draw_time(rng, 10 * kMillisecond, hostile ? 3 * kSecond : kSecond);
  return s;
}

std::string FaultSettings::describe() const {
  std::ostringstream out;
  out << "profile=" << to_string(profile) << " latency=" << latency_min << "us+exp("
      << latency_mean << "us) tail=" << latency_tail_chance << "x" << latency_tail
      << "us bandwidth=" << bandwidth << "B/s send_buffer=" << send_buffer
      << "B short_write=" << short_write_chance << " split=" << split_chance
      << " reset=" << reset_chance << " fault_period=" << fault_period
      << "us partition=" << partition_chance << "(reset " << partition_reset_chance << ", mean "
      << partition_mean << "us) clog=" << clog_chance << "(mean " << clog_mean
      << "us) crash=" << crash_chance << "(restart after " << restart_delay << "us)";
  return out.str();
}

}  // namespace imagelib::sim
