#include "simulator/simulation.h"

#include <memory>
#include <sstream>

#include "reference/api/api_service.h"
#include "reference/library/library.h"
#include "simulator/account_actor.h"
#include "simulator/fault_injector.h"
#include "simulator/invariants.h"
#include "simulator/library_host.h"

namespace imagelib::sim {
namespace {

const Timestamp kEpoch = Timestamp::from_unix_seconds(1305806400);  // 2011-05-19T12:00:00Z

// A raw disk of 64 KiB to 512 KiB: text, a zero run, and seeded bytes.
Bytes make_disk(Rng& rng) {
  const auto size = static_cast<std::size_t>(rng.uniform_between(1, 8)) * 64 * 1024;
  Bytes disk(size, 0);
  const std::string text = "imagelib simulated disk ";
  for (std::size_t i = 0; i < size / 4; ++i) disk[i] = static_cast<std::uint8_t>(text[i % text.size()]);
  for (std::size_t i = size / 2; i < size; ++i) disk[i] = static_cast<std::uint8_t>(rng.next_u64());
  return disk;
}

class Run {
 public:
  explicit Run(const SimulationOptions& options)
      : options_(options),
        root_(options.seed),
        settings_(choose_settings()),
        loop_(kEpoch, options.keep_trace_lines),
        library_(LibraryOptions{.seed = options.seed}),
        api_(library_),
        network_(loop_, root_.stream("network"), settings_),
        library_host_(loop_, network_, library_, api_) {}

  SimulationResult run();

 private:
  FaultSettings choose_settings() {
    if (options_.settings) return *options_.settings;
    Rng faults = root_.stream("faults");
    return choose_fault_settings(options_.profile, faults);
  }
  void setup();
  // Runs events until `until` or every journey ended; false on a violation.
  bool run_phase(SimTime until);
  bool all_done() const;

  const SimulationOptions& options_;
  Rng root_;
  FaultSettings settings_;
  EventLoop loop_;
  Library library_;
  ApiService api_;
  Network network_;
  LibraryHost library_host_;
  std::vector<std::unique_ptr<Host>> client_hosts_;
  std::vector<std::unique_ptr<AccountActor>> actors_;
  std::vector<AccountId> accounts_;
  SharedKnowledge shared_;
  std::unique_ptr<InvariantChecker> invariants_;
  std::optional<std::string> violation_;
};

void Run::setup() {
  (void)library_.add_official_image({.name = "Ubuntu Lucid 10.04 server", .arch = Arch::kI686,
                                     .username = "ubuntu", .content = Bytes(64 * 1024, 1)},
                                    kEpoch - std::chrono::hours(24));
  Rng workload = root_.stream("workload");
  std::vector<HostId> client_names;
  for (int i = 1; i <= options_.accounts; ++i) {
    const Account account = library_.create_account("account " + std::to_string(i)).value();
    const ApiClient client = library_.create_api_client(account.id).value();
    accounts_.push_back(account.id);
    const HostId name = "client-" + std::to_string(i);
    client_names.push_back(name);
    client_hosts_.push_back(std::make_unique<Host>(loop_, network_, name));
    const int extras = static_cast<int>(
        workload.uniform_between(options_.min_extra_operations, options_.max_extra_operations));
    actors_.push_back(std::make_unique<AccountActor>(
        *client_hosts_.back(), ActorCredentials{account.id, client.id, client.secret},
        make_disk(workload), extras, workload.stream(account.id), shared_,
        [this](const std::string& what) {
          if (!violation_) violation_ = what;
        }));
  }
  invariants_ = std::make_unique<InvariantChecker>(library_, accounts_);
  library_host_.start();
  if (options_.inject_reset_at_io_step) network_.inject_reset_at_io_step(*options_.inject_reset_at_io_step);
}

bool Run::all_done() const {
  for (const auto& actor : actors_) {
    if (!actor->done()) return false;
  }
  return true;
}

bool Run::run_phase(SimTime until) {
  while (!violation_ && !all_done()) {
    auto next = loop_.next_event_time();
    if (!next || *next > until) break;
    loop_.step();
    if (auto broken = invariants_->check()) violation_ = "invariant: " + *broken;
  }
  return !violation_;
}

SimulationResult Run::run() {
  setup();
  FaultInjector injector(loop_, network_, library_host_,
                         [&] {
                           std::vector<HostId> names;
                           for (const auto& host : client_hosts_) names.push_back(host->name());
                           return names;
                         }(),
                         root_.stream("fault-schedule"));
  const bool faults = settings_.profile != FaultProfile::kNone || options_.settings.has_value();
  network_.set_faults_enabled(faults);
  if (faults) injector.start();
  for (auto& actor : actors_) actor->start();

  run_phase(options_.fault_phase);
  SimulationResult result;
  result.safety_end = loop_.now();
  // Liveness: the network heals and stays healthy.
  injector.stop();
  network_.heal();
  network_.set_faults_enabled(false);
  loop_.note("network healed: liveness phase");
  const SimTime bound = loop_.now() + options_.liveness_bound;
  if (run_phase(bound) && !all_done()) {
    std::string stuck;
    for (const auto& actor : actors_) {
      if (!actor->done()) stuck += " " + actor->account() + " at " + actor->progress() + ";";
    }
    violation_ = "liveness: journeys did not end within " +
                 std::to_string(options_.liveness_bound / kSecond) + " s after healing:" + stuck;
  }
  // Let the last QUITs and closes play out, still checking.
  while (!violation_ && loop_.next_event_time() && *loop_.next_event_time() <= bound) {
    loop_.step();
    if (auto broken = invariants_->check()) violation_ = "invariant: " + *broken;
  }
  if (!violation_ && library_host_.live_ftp_sessions() != 0) {
    violation_ = "liveness: " + std::to_string(library_host_.live_ftp_sessions()) +
                 " FTP sessions still open on the library host after every client quit";
  }

  result.seed = options_.seed;
  result.settings = settings_;
  result.trace_hash = loop_.trace().hash();
  result.events = loop_.events_run();
  result.end = loop_.now();
  result.network = network_.stats();
  result.crashes = library_host_.crashes();
  result.invariant_checks = invariants_->checks();
  result.committed_images = invariants_->committed_images();
  result.journeys = static_cast<int>(actors_.size());
  for (const auto& actor : actors_) {
    if (actor->done()) ++result.journeys_completed;
    result.operations += actor->operations();
    result.retries += actor->retries();
  }
  result.io_steps = network_.io_steps();
  result.injected_reset_happened = network_.injected_reset_happened();
  result.violation = violation_;
  result.trace_lines = loop_.trace().lines();
  result.library_state = library_.dump_state();
  return result;
}

}  // namespace

SimulationResult run_simulation(const SimulationOptions& options) { return Run(options).run(); }

std::string SimulationResult::summary() const {
  std::ostringstream out;
  out << "seed: " << seed << "\n"
      << "faults: " << settings.describe() << "\n"
      << "virtual time: safety phase " << safety_end / kMillisecond << " ms, end "
      << end / kMillisecond << " ms\n"
      << "events: " << events << ", I/O steps: " << io_steps << ", invariant checks: "
      << invariant_checks << "\n"
      << "journeys: " << journeys_completed << "/" << journeys << " completed, " << operations
      << " operations, " << retries << " retries, " << committed_images << " committed images\n"
      << "network: " << network.connects << " connects (" << network.refused << " refused), "
      << network.deliveries << " deliveries, " << network.bytes << " bytes, " << network.resets
      << " resets, " << network.short_writes << " short writes, " << network.splits
      << " splits, " << network.backpressure << " back-pressure, " << network.tail_latencies
      << " tail latencies, " << network.partitions << " partitions, " << network.clogs
      << " clogs, " << network.stalls << " stalls, " << crashes << " crashes\n"
      << "result: " << (violation ? "FAILED: " + *violation : std::string("ok")) << "\n"
      << "trace hash: " << hex16(trace_hash) << "\n";
  return out.str();
}

}  // namespace imagelib::sim
