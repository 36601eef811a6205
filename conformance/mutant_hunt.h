// The mutation test's engine: plays scenarios, one fresh target each, until
// one fails — that scenario "catches" the mutant the targets serve. Every
// step is also compared with a fresh unmutated reference, as any run against
// a non-direct target is. Used by the mutation tests (mutation_test.cc and
// the loopback one); not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/scenario.h"
#include "conformance/target.h"

namespace imagelib::conformance {

struct MutantCatch {
  std::string scenario;  // the file that failed
  std::size_t step = 0;  // 1-based
  std::string summary;   // "api POST /1.0/servers as main"
  std::string failure;   // the first failure of that step
};

using TargetFactory = std::function<Result<std::unique_ptr<Target>>()>;

// The first of `scenarios`, in their order, that fails against a target made
// by `make_target`; nullopt when every one passes or is skipped. A target
// that cannot be made is an error.
Result<std::optional<MutantCatch>> first_failing_scenario(const std::vector<Scenario>& scenarios,
                                                          const TargetFactory& make_target);

// `scenarios` in the order that tends to catch a mutant soonest on a
// target where steps are cheap: fewer steps first, image-format files
// (which decode whole disks) last, then by path.
std::vector<Scenario> cheapest_first(std::vector<Scenario> scenarios);

// `scenarios` with the one at `path` moved to the front (when present).
std::vector<Scenario> with_first(std::vector<Scenario> scenarios, const std::string& path);

}  // namespace imagelib::conformance
