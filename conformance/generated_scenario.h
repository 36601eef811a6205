// Generated scenarios for model-based property runs. A sequence of commands
// across the accounts "main" and "alt" is played against the reference
// (the model) first; each command becomes a scenario step whose expectations
// are what the model answered, with ids turned into aliases. The scenario
// is then replayed against the system under test, and a failing one can be
// written out as is: it replays the failure by itself.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/target.h"

namespace imagelib::conformance {

enum class CommandKind : std::uint8_t {
  kUploadAndRegister, kUploadCorruptAndRegister, kList, kShow, kMakePublic, kMakePrivate,
  kDeprecate, kUndeprecate, kLock, kUnlock, kDestroy, kCreateServer, kSnapshot, kFtpListImages,
  kFtpDownload, kResetPasswordAndLogin, kAdvance,
};
inline constexpr int kCommandKinds = static_cast<int>(CommandKind::kAdvance) + 1;

struct Command {
  CommandKind kind = CommandKind::kList;
  int actor = 0;           // 0: main, 1: alt
  std::uint32_t pick = 0;  // which image or server, modulo those made so far
};

// Plays `commands` on `model` (a fresh reference target) and returns the
// scenario JSON (format imagelib-scenario/1) with the model's answers as
// expectations. `name` becomes the scenario's name.
nlohmann::json build_scenario(const std::vector<Command>& commands, Target& model,
                              const std::string& name);

}  // namespace imagelib::conformance
