#include "conformance/target_spec.h"

#include "conformance/direct_target.h"
#include "conformance/remote_target.h"
#include "conformance/sim_target.h"

namespace imagelib::conformance {
namespace {

Result<std::uint64_t> parse_seed(const std::string& text) {
  try {
    std::size_t used = 0;
    const auto seed = std::stoull(text, &used);
    if (used == text.size()) return seed;
  } catch (const std::exception&) {
  }
  return Status(ErrorCode::kBadRequest, "\"" + text + "\" is not a seed (a whole number)");
}

}  // namespace

Result<std::unique_ptr<Target>> make_target(const std::string& spec) {
  const std::string kind = spec.substr(0, spec.find(':'));
  const std::string rest = spec.find(':') == std::string::npos ? "" : spec.substr(spec.find(':') + 1);
  if (kind == "direct") {
    std::uint64_t seed = 1;
    if (!rest.empty()) {
      auto parsed = parse_seed(rest);
      if (!parsed.ok()) return parsed.status();
      seed = *parsed;
    }
    return std::unique_ptr<Target>(std::make_unique<DirectTarget>(seed));
  }
  if (kind == "sim") {
    // sim:SEED[:PROFILE]
    const auto colon = rest.find(':');
    auto seed = parse_seed(rest.substr(0, colon));
    if (!seed.ok()) return seed.status();
    const std::string profile_name = colon == std::string::npos ? "none" : rest.substr(colon + 1);
    const auto profile = sim::parse_fault_profile(profile_name);
    if (!profile) {
      return Status(ErrorCode::kBadRequest,
                    "unknown fault profile \"" + profile_name + "\": use none, flaky or hostile");
    }
    return std::unique_ptr<Target>(std::make_unique<SimTarget>(*seed, *profile));
  }
  if (kind == "remote") {
    if (rest.empty()) return Status(ErrorCode::kBadRequest, "remote needs a config file: remote:FILE");
    auto remote = RemoteTarget::open(rest);
    if (!remote.ok()) return remote.status();
    return std::unique_ptr<Target>(std::move(*remote));
  }
  return Status(ErrorCode::kBadRequest, "unknown target \"" + spec +
                                            "\": use direct[:SEED], sim:SEED[:PROFILE] or remote:FILE");
}

}  // namespace imagelib::conformance
