// Fault injection: the simulation-only part of a scenario, its "fault" steps
// (scenarios/README.md). A target that declares the "fault_injection"
// feature hands out a FaultInjection from Target::fault_injection(); the
// runner gives it each fault step and, after every other step, asks which
// armed faults did not fire. Callers: runner.cc. Implemented by
// SimFaultSchedule (the simulated targets). Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reference/base/status.h"
#include "reference/base/timestamp.h"

namespace imagelib::conformance {

enum class FaultKind {
  kDisconnect,      // one connection of the actor is reset (both ends see it)
  kPartition,       // the actor's host and the library host cannot reach each other
  kHeal,            // every partition ends
  kRestartLibrary,  // the library host crashes and comes back
};

// Which of an actor's connections a fault counts bytes on (and breaks).
enum class FaultLink {
  kApi,      // HTTPS to the API
  kFtp,      // FTP control connections
  kFtpData,  // FTP data connections (uploads, downloads, listings)
};

struct FaultSpec {
  FaultKind kind = FaultKind::kHeal;
  std::string role;  // "main" or "alt": whose host and connections
  // With after_bytes, the fault waits until that many more bytes crossed the
  // actor's `link` connections (either way) during the next step; without,
  // it happens at once. A disconnect always waits.
  std::optional<FaultLink> link;
  std::optional<std::uint64_t> after_bytes;
  // Partition: how long it lasts (unset: until a heal). Restart: how long
  // the library host stays down (unset: it comes back at once).
  std::optional<Duration> duration;
  // false: during the next step the actor's client does not retry what the
  // network breaks, so that step answers status or reply 0.
  bool client_retries = true;
};

class FaultInjection {
 public:
  virtual ~FaultInjection() = default;
  // Applies `fault` now, or arms it for the next step.
  virtual Status inject(const FaultSpec& fault) = 0;
  // A step other than a fault step ended: the faults armed for it that did
  // not fire (described; they are dropped), and clients retry again.
  virtual std::vector<std::string> step_ended() = 0;
};

}  // namespace imagelib::conformance
