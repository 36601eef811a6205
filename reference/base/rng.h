// Rng: the one source of randomness of the core and the simulator. Seeded,
// split into named streams, with distributions of our own (the standard
// library's differ between implementations). Not thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace imagelib {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();  // xoshiro256**
  // Uniform in [0, bound); bound must be > 0. Unbiased (Lemire's method).
  std::uint64_t uniform(std::uint64_t bound);
  // Uniform in [lo, hi], inclusive.
  std::int64_t uniform_between(std::int64_t lo, std::int64_t hi);
  // Uniform in [0, 1) with 53 random bits.
  double unit();
  // True with probability p (clamped to [0, 1]).
  bool chance(double p);
  // Exponentially distributed with the given mean; computed with our own
  // logarithm series so that every platform draws the same value.
  double exponential(double mean);

  // An independent stream whose seed depends only on this Rng's seed and the
  // name, not on how many values were drawn: adding draws to one stream
  // never shifts another.
  Rng stream(std::string_view name) const;

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::uint64_t state_[4];
};

// FNV-1a, 64 bit: a stable hash for names and traces (never std::hash).
std::uint64_t fnv1a64(std::string_view data, std::uint64_t basis = 0xcbf29ce484222325ULL);

}  // namespace imagelib
