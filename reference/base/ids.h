// Resource identifiers: a three-letter prefix, a dash and five or more
// lowercase base36 characters ("img-7geqi"), drawn from a seeded Rng so that
// the same seed gives the same ids. Not thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "reference/base/rng.h"

namespace imagelib {

using AccountId = std::string;
using ImageId = std::string;
using ServerId = std::string;
using ClientId = std::string;

inline constexpr std::string_view kAccountPrefix = "acc";
inline constexpr std::string_view kImagePrefix = "img";
inline constexpr std::string_view kServerPrefix = "srv";
inline constexpr std::string_view kClientPrefix = "cli";

// True for "^[a-z]{3}-[0-9a-z]{5,}$", and the given prefix when not empty.
bool is_valid_id(std::string_view id, std::string_view prefix = {});

class IdGenerator {
 public:
  explicit IdGenerator(Rng rng) : rng_(rng) {}
  // A fresh id with the prefix, never returned before by this generator nor
  // passed to reserve().
  std::string next(std::string_view prefix);
  // Marks an id as taken (ids given by configuration files).
  void reserve(const std::string& id) { used_.insert(id); }

 private:
  Rng rng_;
  std::set<std::string> used_;
};

}  // namespace imagelib
