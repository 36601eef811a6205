// SimTarget: the reference library on the simulator's library host, reached
// over the simulated network (`sim:SEED[:PROFILE]`). Every API call and FTP
// operation travels from the actor's client host ("client-main",
// "client-alt") to the library host in virtual time, with the faults of the
// profile (none, flaky, hostile) as the seed draws them. Each call runs the
// event loop until its answer arrives; what the network breaks is retried as
// a client would (a new connection, REST to resume an upload) within a
// bounded virtual time, and reported as a non-ok Result if it never
// succeeds. A scenario's fault steps are played by a SimFaultSchedule
// ("fault_injection"). The same seed and profile give the same run, event
// for event.
// Accounts "main" and "alt" and their API clients are made at construction.
// Made by make_target(); tests. Not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "conformance/sim_fault_schedule.h"
#include "conformance/sim_ftp_client.h"
#include "conformance/target.h"
#include "reference/api/api_service.h"
#include "reference/library/library.h"
#include "simulator/api_client_channel.h"
#include "simulator/event_loop.h"
#include "simulator/fault_injector.h"
#include "simulator/fault_settings.h"
#include "simulator/library_host.h"
#include "simulator/network.h"

namespace imagelib::conformance {

struct SimTargetCounters {
  std::uint64_t api_retries = 0;  // API requests sent again after a lost response
  std::uint64_t ftp_retries = 0;
  std::uint64_t ftp_connections = 0;
};

class SimTarget final : public Target {
 public:
  SimTarget(std::uint64_t seed, sim::FaultProfile profile);
  ~SimTarget() override;

  std::string name() const override;
  std::set<std::string> features() const override;
  std::string account_id(const std::string& role) const override;
  Result<ApiReply> api(const std::string& role, const ApiCall& call) override;
  Result<FtpReply> ftp(const std::string& role, const FtpCall& call) override;
  Result<std::string> add_official_image(const OfficialImageCall& call) override;
  void advance(Duration duration) override;
  FaultInjection* fault_injection() override { return faults_.get(); }

  // --- the run, for reports and tests ---
  sim::SimTime virtual_now() const { return loop_.now(); }
  std::optional<Timestamp> now() const override { return loop_.wall_now(); }
  std::uint64_t trace_hash() const { return loop_.trace().hash(); }
  std::uint64_t events_run() const { return loop_.events_run(); }
  const sim::FaultSettings& fault_settings() const { return settings_; }
  const sim::NetworkStats& network_stats() const { return network_.stats(); }
  std::uint64_t library_crashes() const { return library_host_.crashes(); }
  SimTargetCounters counters() const;
  Library& library() { return library_; }
  // For tests and fault schedules: the simulated machine and its network.
  sim::LibraryHost& library_host() { return library_host_; }
  sim::Network& network() { return network_; }

 private:
  struct Actor {
    AccountId account;
    ClientId client;
    std::string secret;
    std::string token;
    Timestamp token_issued;
    bool api_retries = true;  // off: a lost response is not asked for again
    // The host outlives the clients on it (members are destroyed in reverse).
    std::unique_ptr<sim::Host> host;
    std::shared_ptr<sim::ApiClientChannel> api;
    std::unique_ptr<SimFtpClient> ftp;
  };
  Result<Actor*> actor(const std::string& role);
  Result<std::string> token_for(Actor& actor);
  // A token issued on the library host so long ago that it has expired.
  Result<std::string> expired_token_for(const Actor& actor);
  // Sends the request over the actor's API channel until a response comes,
  // retrying lost ones within the call budget.
  Result<HttpResponse> exchange(Actor& actor, const HttpRequest& request);

  std::uint64_t seed_;
  sim::FaultProfile profile_;
  Rng root_;
  sim::FaultSettings settings_;
  sim::EventLoop loop_;
  Library library_;
  ApiService api_;
  sim::Network network_;
  sim::LibraryHost library_host_;
  Rng client_rng_;
  std::map<std::string, Actor> actors_;
  std::unique_ptr<sim::FaultInjector> injector_;
  std::unique_ptr<SimFaultSchedule> faults_;
  std::uint64_t api_retries_ = 0;
};

}  // namespace imagelib::conformance
