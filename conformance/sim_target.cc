#include "conformance/sim_target.h"

#include <nlohmann/json.hpp>

#include "net/basic_auth.h"
#include "conformance/official_image.h"
#include "conformance/sim_clock.h"

namespace imagelib::conformance {
namespace {

// Virtual time 0 is 2011-05-19T12:00:00Z, where the direct target starts too.
const Timestamp kEpoch = Timestamp::from_unix_seconds(1305806400);
// The virtual time one call may take, retries included.
constexpr sim::SimTime kCallBudget = 300 * sim::kSecond;
// How long one API request waits for its response before the client resets.
constexpr sim::SimTime kApiRequestTimeout = 30 * sim::kSecond;
// A token is fetched again once it is this old (it lives longer).
constexpr Duration kTokenRefresh = std::chrono::hours(1);
constexpr const char* kApiHostHeader = "api.library.localhost";

HttpRequest token_request(const std::string& client, const std::string& secret) {
  return HttpRequest{"POST",
                     "/token",
                     {{"authorization", net::basic_authorization(client, secret)},
                      {"content-type", "application/json"},
                      {"host", kApiHostHeader}},
                     R"({"grant_type":"client_credentials"})"};
}

Result<std::string> access_token_of(const HttpResponse& response) {
  const auto json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status != 200 || !json.is_object() || !json.contains("access_token") ||
      !json["access_token"].is_string()) {
    return Status(ErrorCode::kUnauthorized, "token request failed: " + response.body);
  }
  return json["access_token"].get<std::string>();
}

}  // namespace

SimTarget::SimTarget(std::uint64_t seed, sim::FaultProfile profile)
    : seed_(seed),
      profile_(profile),
      root_(seed),
      settings_([&] {
        Rng faults = root_.stream("faults");
        return sim::choose_fault_settings(profile, faults);
      }()),
      loop_(kEpoch, /*keep_trace_lines=*/false),
      library_(LibraryOptions{.seed = seed}),
      api_(library_),
      network_(loop_, root_.stream("network"), settings_),
      library_host_(loop_, network_, library_, api_),
      client_rng_(root_.stream("client-retries")) {
  std::vector<sim::HostId> client_hosts;
  std::map<std::string, sim::HostId> actor_hosts;
  for (const std::string role : {"main", "alt"}) {
    Actor actor;
    actor.account = library_.create_account(role).value().id;
    const ApiClient client = library_.create_api_client(actor.account).value();
    actor.client = client.id;
    actor.secret = client.secret;
    actor.host = std::make_unique<sim::Host>(loop_, network_, "client-" + role);
    actor.api = std::make_shared<sim::ApiClientChannel>(*actor.host, kApiRequestTimeout);
    actor.ftp =
        std::make_unique<SimFtpClient>(*actor.host, client_rng_.stream("ftp-" + role), kCallBudget);
    client_hosts.push_back(actor.host->name());
    actor_hosts[role] = actor.host->name();
    actors_[role] = std::move(actor);
  }
  library_host_.start();
  injector_ = std::make_unique<sim::FaultInjector>(loop_, network_, library_host_, client_hosts,
                                                   root_.stream("fault-schedule"));
  const bool faults = profile != sim::FaultProfile::kNone;
  network_.set_faults_enabled(faults);
  if (faults) injector_->start();
  faults_ = std::make_unique<SimFaultSchedule>(
      loop_, network_, library_host_, std::move(actor_hosts),
      [this](const std::string& role, bool retries) {
        Actor& who = actors_.at(role);
        who.api_retries = retries;
        who.ftp->set_retries(retries);
      });
}

SimTarget::~SimTarget() = default;

std::string SimTarget::name() const {
  std::string name = "sim:" + std::to_string(seed_);
  if (profile_ != sim::FaultProfile::kNone) name += ":" + std::string(sim::to_string(profile_));
  return name;
}

std::set<std::string> SimTarget::features() const {
  return {"api",        "ftp",      "official_images", "snapshots", "servers",
          "extensions", "ftp_mlsd", "quota",           "simulation", "fault_injection"};
}

std::string SimTarget::account_id(const std::string& role) const {
  auto it = actors_.find(role);
  return it == actors_.end() ? "" : it->second.account;
}

SimTargetCounters SimTarget::counters() const {
  SimTargetCounters counters;
  counters.api_retries = api_retries_;
  for (const auto& [role, actor] : actors_) {
    counters.ftp_retries += actor.ftp->counters().retries;
    counters.ftp_connections += actor.ftp->counters().connections;
  }
  return counters;
}

Result<SimTarget::Actor*> SimTarget::actor(const std::string& role) {
  auto it = actors_.find(role);
  if (it == actors_.end()) return Status(ErrorCode::kNotFound, "no actor role \"" + role + "\"");
  return &it->second;
}

Result<HttpResponse> SimTarget::exchange(Actor& actor, const HttpRequest& request) {
  const sim::SimTime deadline = loop_.now() + kCallBudget;
  for (int attempt = 1;; ++attempt) {
    auto answer = std::make_shared<std::optional<std::optional<HttpResponse>>>();
    actor.api->send(
        request, [answer](std::optional<HttpResponse> response) { *answer = std::move(response); });
    if (!run_until(
            loop_, [&] { return answer->has_value(); }, deadline)) {
      // Abandon the request, so that it is not sent after the call gave up.
      actor.api = std::make_shared<sim::ApiClientChannel>(*actor.host, kApiRequestTimeout);
      break;
    }
    if (**answer) return std::move(***answer);
    if (!actor.api_retries) break;
    const sim::SimTime delay = retry_delay(attempt, client_rng_);
    if (loop_.now() + delay >= deadline) break;
    ++api_retries_;
    run_for(loop_, delay);
  }
  const std::string within =
      actor.api_retries
          ? " within " + std::to_string(kCallBudget / sim::kSecond) + " s of virtual time"
          : " and the client does not retry during this step";
  return Status(ErrorCode::kConflict, "transport failure: " + request.method + " " +
                                          request.target + " got no response" + within);
}

Result<std::string> SimTarget::token_for(Actor& actor) {
  const Timestamp now = loop_.wall_now();
  if (!actor.token.empty() && now - actor.token_issued < kTokenRefresh) return actor.token;
  auto response = exchange(actor, token_request(actor.client, actor.secret));
  if (!response.ok()) return response.status();
  auto token = access_token_of(*response);
  if (!token.ok()) return token.status();
  actor.token = *token;
  actor.token_issued = now;
  return actor.token;
}

Result<std::string> SimTarget::expired_token_for(const Actor& actor) {
  // Harness only: the library host issues a token dated one lifetime and a
  // second ago; the request that carries it still crosses the network.
  const Timestamp issued =
      loop_.wall_now() - api_.options().token_lifetime - std::chrono::seconds(1);
  return access_token_of(api_.handle(token_request(actor.client, actor.secret), issued));
}

Result<ApiReply> SimTarget::api(const std::string& role, const ApiCall& call) {
  auto who = actor(role);
  if (!who.ok()) return who.status();
  HttpRequest request{call.method, call.path, call.headers, call.body};
  switch (call.auth) {
    case ApiAuth::kToken:
    case ApiAuth::kExpiredToken: {
      auto token = call.auth == ApiAuth::kToken ? token_for(**who) : expired_token_for(**who);
      if (!token.ok()) return token.status();
      request.headers["authorization"] = "Bearer " + *token;
      break;
    }
    case ApiAuth::kBadToken:
      request.headers["authorization"] = "Bearer not-a-token";
      break;
    case ApiAuth::kNone:
      break;
  }
  if (!request.body.empty() && request.headers.count("content-type") == 0) {
    request.headers["content-type"] = "application/json";
  }
  request.headers.emplace("host", kApiHostHeader);
  auto response = exchange(**who, request);
  if (!response.ok()) return response.status();
  return ApiReply{response->status, response->headers, response->body};
}

Result<FtpReply> SimTarget::ftp(const std::string& role, const FtpCall& call) {
  auto who = actor(role);
  if (!who.ok()) return who.status();
  SimFtpClient& client = *(*who)->ftp;
  switch (call.op) {
    case FtpOp::kLogin:
      return call.tls ? client.login(call.user, call.password)
                      : client.plain_line("USER " + call.user);
    case FtpOp::kQuit:
      return client.quit();
    default:
      return client.run(call);
  }
}

Result<std::string> SimTarget::add_official_image(const OfficialImageCall& call) {
  // Harness only, as an operator would: straight into the library's state.
  return add_official_image_to(library_, call, loop_.wall_now());
}

void SimTarget::advance(Duration duration) {
  run_for(loop_, duration.count());
  if (library_host_.is_up()) library_host_.run_jobs();
}

}  // namespace imagelib::conformance
