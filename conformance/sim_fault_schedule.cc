#include "conformance/sim_fault_schedule.h"

#include <limits>

namespace imagelib::conformance {
namespace {

// A partition without a duration lasts until a heal step.
constexpr sim::SimTime kUntilHealed = std::numeric_limits<sim::SimTime>::max() / 2;

std::string_view kind_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kDisconnect:
      return "disconnect";
    case FaultKind::kPartition:
      return "partition";
    case FaultKind::kHeal:
      return "heal";
    case FaultKind::kRestartLibrary:
      return "restart_library";
  }
  return "fault";
}

std::string_view link_name(FaultLink link) {
  switch (link) {
    case FaultLink::kApi:
      return "api";
    case FaultLink::kFtp:
      return "ftp";
    case FaultLink::kFtpData:
      return "ftp_data";
  }
  return "link";
}

FaultLink link_of_port(int port) {
  if (port == sim::kApiPort) return FaultLink::kApi;
  if (port == sim::kFtpPort) return FaultLink::kFtp;
  return FaultLink::kFtpData;  // a passive port of an FTP session
}

// "disconnect of main's ftp_data after 400000 bytes"
std::string describe(const FaultSpec& fault) {
  std::string text(kind_name(fault.kind));
  if (fault.kind != FaultKind::kHeal && fault.kind != FaultKind::kRestartLibrary) {
    text += " of " + fault.role;
  }
  if (fault.after_bytes && fault.link) {
    text += " after " + std::to_string(*fault.after_bytes) + " bytes of " + fault.role + "'s " +
            std::string(link_name(*fault.link));
  }
  return text;
}

sim::SimTime to_sim_time(Duration duration) { return static_cast<sim::SimTime>(duration.count()); }

}  // namespace

SimFaultSchedule::SimFaultSchedule(sim::EventLoop& loop, sim::Network& network,
                                   sim::LibraryHost& library,
                                   std::map<std::string, sim::HostId> actor_hosts,
                                   RetrySwitch retry_switch)
    : loop_(loop),
      network_(network),
      library_(library),
      actor_hosts_(std::move(actor_hosts)),
      retry_switch_(std::move(retry_switch)) {
  network_.watch_deliveries([this](sim::ConnectionId id, const sim::HostId& from,
                                   const sim::HostId& to, int port,
                                   std::size_t bytes) { on_delivery(id, from, to, port, bytes); });
}

SimFaultSchedule::~SimFaultSchedule() { network_.watch_deliveries(nullptr); }

Status SimFaultSchedule::inject(const FaultSpec& fault) {
  auto host = actor_hosts_.find(fault.role);
  if (host == actor_hosts_.end()) {
    return Status(ErrorCode::kNotFound, "no actor role \"" + fault.role + "\"");
  }
  if (fault.after_bytes.has_value() != fault.link.has_value() ||
      (fault.kind == FaultKind::kDisconnect && !fault.after_bytes) ||
      (fault.kind == FaultKind::kHeal && fault.after_bytes)) {
    return Status(ErrorCode::kBadRequest, "fault " + describe(fault) +
                                              ": a disconnect needs link and after_bytes, a heal "
                                              "takes neither, link goes with after_bytes");
  }
  if (!fault.client_retries) {
    retry_switch_(fault.role, false);
    retries_off_.push_back(fault.role);
  }
  if (fault.after_bytes) {
    armed_.push_back(Armed{fault, host->second, 0, false});
  } else {
    fire(fault, host->second, 0);
  }
  return Status::ok_status();
}

std::vector<std::string> SimFaultSchedule::step_ended() {
  std::vector<std::string> unfired;
  for (const Armed& armed : armed_) {
    if (!armed.fired) {
      unfired.push_back(describe(armed.spec) + " never happened: " + std::to_string(armed.crossed) +
                        " bytes crossed");
    }
  }
  armed_.clear();
  for (const std::string& role : retries_off_) retry_switch_(role, true);
  retries_off_.clear();
  return unfired;
}

void SimFaultSchedule::on_delivery(sim::ConnectionId id, const sim::HostId& from,
                                   const sim::HostId& to, int port, std::size_t bytes) {
  for (Armed& armed : armed_) {
    if (armed.fired || link_of_port(port) != *armed.spec.link) continue;
    const bool actor_link = (from == armed.host && to == sim::kLibraryHostName) ||
                            (to == armed.host && from == sim::kLibraryHostName);
    if (!actor_link) continue;
    armed.crossed += bytes;
    if (armed.crossed < *armed.spec.after_bytes) continue;
    armed.fired = true;
    // Its own event, right after this delivery: the reader has finished with it.
    loop_.schedule_after(
        0, "scenario fault: " + describe(armed.spec),
        [this, spec = armed.spec, host = armed.host, id] { fire(spec, host, id); });
  }
}

void SimFaultSchedule::fire(const FaultSpec& fault, const sim::HostId& host,
                            sim::ConnectionId connection) {
  ++fired_;
  loop_.note("scenario fault: " + describe(fault));
  switch (fault.kind) {
    case FaultKind::kDisconnect:
      network_.fault_reset(connection, "scenario fault: disconnect");
      break;
    case FaultKind::kPartition:
      network_.partition(
          host, sim::kLibraryHostName,
          fault.duration ? loop_.now() + to_sim_time(*fault.duration) : kUntilHealed);
      break;
    case FaultKind::kHeal:
      network_.heal();
      break;
    case FaultKind::kRestartLibrary:
      library_.crash();
      if (!fault.duration || fault.duration->count() == 0) {
        library_.restart();
      } else {
        loop_.schedule_after(to_sim_time(*fault.duration), "library host restarts (scenario fault)",
                             [this] { library_.restart(); });
      }
      break;
  }
}

}  // namespace imagelib::conformance
