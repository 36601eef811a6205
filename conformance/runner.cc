#include "conformance/runner.h"

#include <chrono>
#include <regex>

#include "conformance/answer_invariants.h"
#include "conformance/content.h"
#include "conformance/expectation.h"
#include "conformance/fault_injection.h"
#include "conformance/fog_formats.h"
#include "conformance/reference_comparison.h"
#include "reference/base/sha256.h"

namespace imagelib::conformance {
namespace {

constexpr auto kDefaultWaitTimeout = std::chrono::seconds(60);

Result<Duration> parse_duration(const std::string& text) {
  static const std::regex kPattern("^([0-9]+)(ms|s|m|h)$");
  std::smatch m;
  if (!std::regex_match(text, m, kPattern)) {
    return Status(ErrorCode::kBadRequest, "bad duration " + text);
  }
  const auto n = std::stoll(m[1]);
  if (m[2] == "ms") return Duration(std::chrono::milliseconds(n));
  if (m[2] == "s") return Duration(std::chrono::seconds(n));
  if (m[2] == "m") return Duration(std::chrono::minutes(n));
  return Duration(std::chrono::hours(n));
}

nlohmann::json parse_body(const std::string& body) {
  if (body.empty()) return nullptr;
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? nlohmann::json(body) : json;
}

// What a step's response looks like to expectations and captures.
nlohmann::json api_response_json(const ApiReply& reply) {
  return {{"status", reply.status}, {"headers", reply.headers}, {"body", parse_body(reply.body)}};
}

nlohmann::json ftp_response_json(const FtpReply& reply, FtpOp op) {
  nlohmann::json json = {{"reply", reply.code}, {"text", reply.text}, {"size", reply.size}};
  if (op == FtpOp::kList) {
    nlohmann::json names = nlohmann::json::array();
    std::string listing(reply.data.begin(), reply.data.end());
    std::size_t pos = 0;
    while (pos < listing.size()) {
      std::size_t end = listing.find('\n', pos);
      if (end == std::string::npos) end = listing.size();
      std::string line = listing.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto slash = line.rfind('/');
      if (!line.empty()) names.push_back(slash == std::string::npos ? line : line.substr(slash + 1));
      pos = end + 1;
    }
    json["names"] = names;
  }
  if (op == FtpOp::kGet) {
    json["sha256"] = sha256_hex(reply.data);
    json["size"] = reply.data.size();
  }
  return json;
}

// What a step answers when the target got no answer (a transport failure):
// the status or reply 0, and why. A step fails on it unless its expectation
// of that field accepts 0.
nlohmann::json no_answer(const char* code_field, const Status& why) {
  return {{code_field, 0}, {"transport_error", why.message()}};
}

bool accepts_no_answer(const nlohmann::json& expected, const nlohmann::json& response) {
  for (const char* key : {"status", "reply"}) {
    if (!response.contains(key) || !expected.is_object() || !expected.contains(key)) continue;
    std::vector<std::string> mismatches;
    match(expected[key], response[key], key, mismatches);
    return mismatches.empty();
  }
  return false;
}

Result<FaultSpec> fault_spec_of(const nlohmann::json& spec, const std::string& role) {
  static const std::map<std::string, FaultKind> kKinds = {
      {"disconnect", FaultKind::kDisconnect},
      {"partition", FaultKind::kPartition},
      {"heal", FaultKind::kHeal},
      {"restart_library", FaultKind::kRestartLibrary}};
  static const std::map<std::string, FaultLink> kLinks = {
      {"api", FaultLink::kApi}, {"ftp", FaultLink::kFtp}, {"ftp_data", FaultLink::kFtpData}};
  FaultSpec fault;
  fault.kind = kKinds.at(spec["kind"].get<std::string>());
  fault.role = role;
  if (spec.contains("link")) fault.link = kLinks.at(spec["link"].get<std::string>());
  if (spec.contains("after_bytes")) fault.after_bytes = spec["after_bytes"].get<std::uint64_t>();
  for (const char* field : {"for", "down_for"}) {
    if (!spec.contains(field)) continue;
    auto duration = parse_duration(spec[field].get<std::string>());
    if (!duration.ok()) return duration.status();
    fault.duration = *duration;
  }
  fault.client_retries = spec.value("client_retries", true);
  return fault;
}

// The records an accepted write changed, as GET paths: the one its path
// names (/1.0/images/img-x/lock_resource → /1.0/images/img-x), the one a
// POST to a collection made, and the image a snapshot's Link names.
std::vector<std::string> written_records(const ApiCall& call, const ApiReply& reply,
                                         const nlohmann::json& body) {
  std::vector<std::string> paths;
  if (call.method == "GET" || reply.status < 200 || reply.status > 299) return paths;
  static const std::regex kRecordPath("^(/1\\.0/[a-z_]+)(/[a-z]{3}-[0-9a-z]{5,})?(/[a-z_]+)?/?(\\?.*)?$");
  std::smatch m;
  if (!std::regex_match(call.path, m, kRecordPath)) return paths;
  if (m[2].matched) {
    paths.push_back(m[1].str() + m[2].str());
  } else if (call.method == "POST" && !m[3].matched && body.is_object() && body.contains("id") &&
             body["id"].is_string()) {
    paths.push_back(m[1].str() + "/" + body["id"].get<std::string>());
  }
  static const std::regex kLinkedImage("/1\\.0/images/(img-[0-9a-z]{5,})>");
  auto link = reply.headers.find("link");
  if (link != reply.headers.end() && std::regex_search(link->second, m, kLinkedImage)) {
    paths.push_back("/1.0/images/" + m[1].str());
  }
  return paths;
}

nlohmann::json without_size(nlohmann::json response) {
  response.erase("size");
  return response;
}

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, Target& target, Target* model)
      : scenario_(scenario), target_(target), model_(model) {
    for (const auto* t : {&target_, model_}) {
      if (t == nullptr) continue;
      Aliases& aliases = t == &target_ ? aliases_ : model_aliases_;
      for (const std::string role : {"main", "alt"}) aliases[role + ".account"] = t->account_id(role);
      for (const auto& [actor, role] : scenario_.actors) aliases[actor + ".account"] = t->account_id(role);
    }
    for (const auto& step : scenario_.steps) has_faults_ = has_faults_ || step.contains("fault");
    if (model_ != nullptr) {
      ComparisonRules rules;
      for (const std::string role : {"main", "alt"}) rules.run_accounts.insert(target_.account_id(role));
      rules.dedicated_accounts = target_.dedicated_accounts();
      rules.extensions = target_.features().count("extensions") != 0;
      rules.extra_fields = target_.extra_fields();
      comparison_.emplace(std::move(rules));
      for (const std::string role : {"main", "alt"}) comparison_->pair(target_.account_id(role), model_->account_id(role));
    }
  }

  ScenarioResult run();

 private:
  // Runs a step on `target` with `aliases`; returns the response JSON.
  Result<nlohmann::json> perform(const nlohmann::json& step, Target& target, Aliases& aliases);
  Result<nlohmann::json> perform_api(const nlohmann::json& spec, const std::string& role, Target& target);
  Result<nlohmann::json> perform_ftp(const nlohmann::json& spec, const std::string& role, Target& target);
  Result<nlohmann::json> perform_wait(const nlohmann::json& spec, const std::string& role, Target& target);
  Result<nlohmann::json> perform_fault(const nlohmann::json& spec, const std::string& role);
  static std::string summary_of(const nlohmann::json& step, const std::string& role);
  // One API call; on the run's target its answer is checked against the
  // invariants and fog-brightbox's format (into answer_failures_).
  Result<ApiReply> call_api(const std::string& role, const ApiCall& call, Target& target);
  // GETs the records an accepted write changed (written_records) into
  // response["read_back"]; on the target, each must agree with the write's
  // answer. Scenarios with faults are about the transport and skip this.
  void read_back(const std::string& role, const ApiCall& call, const ApiReply& reply, Target& target,
                 nlohmann::json& response);
  // The target's step answer (and read-backs) against the reference's.
  void compare_with_reference(const nlohmann::json& model, const nlohmann::json& target,
                              std::vector<std::string>& failures);

  const Scenario& scenario_;
  Target& target_;
  Target* model_;
  Aliases aliases_;
  Aliases model_aliases_;
  bool has_faults_ = false;
  AnswerInvariants invariants_;
  std::optional<ReferenceComparison> comparison_;  // when there is a model
  std::vector<std::string> answer_failures_;  // of the step being played
};

Result<ApiReply> ScenarioRun::call_api(const std::string& role, const ApiCall& call, Target& target) {
  AnswerContext context;
  context.started = target.now();
  auto reply = target.api(role, call);
  if (!reply.ok() || &target != &target_) return reply;
  context.ended = target.now();
  if (call.auth == ApiAuth::kToken && reply->status != 401) context.caller = target.account_id(role);
  invariants_.check(call, *reply, context, answer_failures_);
  for (auto& violation : fog_format_violations(call.method, call.path, reply->status, reply->body)) {
    answer_failures_.push_back("answer outside fog-brightbox's format: " + violation);
  }
  return reply;
}

void ScenarioRun::read_back(const std::string& role, const ApiCall& call, const ApiReply& reply,
                            Target& target, nlohmann::json& response) {
  if (has_faults_) return;
  for (const auto& path : written_records(call, reply, response["body"])) {
    const ApiCall get{"GET", path, "", {}, ApiAuth::kToken};
    auto got = call_api(role, get, target);
    if (!got.ok()) {
      if (&target == &target_) answer_failures_.push_back("read-back GET " + path + ": " + got.status().message());
      continue;
    }
    nlohmann::json back = api_response_json(*got);
    back["path"] = path;
    // What the write answered is what it stored.
    const nlohmann::json& written = response["body"];
    if (&target == &target_ && got->status == 200 && call.method != "DELETE" && written.is_object() &&
        back["body"].is_object() && written.value("id", nlohmann::json()) == back["body"].value("id", nlohmann::json())) {
      for (const auto& [key, value] : written.items()) {
        if (key == "library_ftp_password" || key == "secret") continue;  // shown once, by the write
        const nlohmann::json stored = back["body"].value(key, nlohmann::json());
        if (stored != value && !(is_job_result(key) && written.value("status", "") == "creating")) {
          answer_failures_.push_back("read-back GET " + path + ": " + key + " answered " + value.dump() +
                                     " by the write, " + stored.dump() + " when read back");
        }
      }
    }
    response["read_back"].push_back(std::move(back));
  }
}

void ScenarioRun::compare_with_reference(const nlohmann::json& model, const nlohmann::json& target,
                                         std::vector<std::string>& failures) {
  std::vector<std::string> differences;
  // An FTP reply's size is SIZE's answer, or where a retried upload resumed
  // (which depends on the faults met): compared for SIZE only.
  const bool sized = !model.contains("reply") || model.value("op", "") == "size";
  comparison_->compare(sized ? model : without_size(model), sized ? target : without_size(target), differences);
  for (auto& d : differences) failures.push_back("differs from the reference: " + d);
  const nlohmann::json none = nlohmann::json::array();
  const nlohmann::json& ours = model.contains("read_back") ? model["read_back"] : none;
  const nlohmann::json& theirs = target.contains("read_back") ? target["read_back"] : none;
  for (std::size_t i = 0; i < std::max(ours.size(), theirs.size()); ++i) {
    if (i >= ours.size() || i >= theirs.size()) {
      failures.push_back("differs from the reference: after this write the reference reads back " +
                         std::to_string(ours.size()) + " records, the target " + std::to_string(theirs.size()));
      break;
    }
    differences.clear();
    comparison_->compare(ours[i], theirs[i], differences);
    for (auto& d : differences) {
      failures.push_back("read-back GET " + theirs[i]["path"].get<std::string>() + " differs from the reference: " + d);
    }
  }
}

std::string ScenarioRun::summary_of(const nlohmann::json& step, const std::string& role) {
  if (step.contains("api")) {
    return "api " + step["api"].value("method", "") + " " + step["api"].value("path", "") + " as " + role;
  }
  if (step.contains("ftp")) {
    const auto& ftp = step["ftp"];
    std::string text = "ftp " + ftp.value("op", "");
    if (ftp.contains("path")) text += " " + ftp["path"].get<std::string>();
    if (ftp.contains("line")) text += " \"" + ftp["line"].get<std::string>() + "\"";
    return text + " as " + role;
  }
  if (step.contains("wait")) return "wait for " + step["wait"].value("image", "") + " as " + role;
  if (step.contains("setup")) return "setup official image";
  if (step.contains("fault")) {
    const auto& fault = step["fault"];
    std::string text = "fault " + fault.value("kind", "");
    if (fault.contains("after_bytes")) {
      text += " after " + std::to_string(fault["after_bytes"].get<std::uint64_t>()) + " bytes of " +
              fault.value("link", "");
    }
    return text + " as " + role;
  }
  return "advance " + step.value("advance", "");
}

Result<nlohmann::json> ScenarioRun::perform_api(const nlohmann::json& spec, const std::string& role,
                                                Target& target) {
  ApiCall call;
  call.method = spec["method"];
  call.path = spec["path"];
  if (spec.contains("body")) call.body = spec["body"].dump();
  if (spec.contains("raw_body")) call.body = spec["raw_body"];
  // Bound to a name: items() of a temporary would dangle in a range-for.
  const nlohmann::json headers = spec.value("headers", nlohmann::json::object());
  for (const auto& [name, value] : headers.items()) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    call.headers[lower] = value.get<std::string>();
  }
  const std::string auth = spec.value("auth", "token");
  call.auth = auth == "none" ? ApiAuth::kNone
              : auth == "bad-token" ? ApiAuth::kBadToken
              : auth == "expired-token" ? ApiAuth::kExpiredToken
                                        : ApiAuth::kToken;
  auto reply = call_api(role, call, target);
  if (!reply.ok()) return no_answer("status", reply.status());
  nlohmann::json response = api_response_json(*reply);
  read_back(role, call, *reply, target, response);
  return response;
}

Result<nlohmann::json> ScenarioRun::perform_ftp(const nlohmann::json& spec, const std::string& role,
                                                Target& target) {
  static const std::map<std::string, FtpOp> kOps = {
      {"login", FtpOp::kLogin}, {"list", FtpOp::kList},     {"put", FtpOp::kPut},
      {"get", FtpOp::kGet},     {"delete", FtpOp::kDelete}, {"rename", FtpOp::kRename},
      {"size", FtpOp::kSize},   {"command", FtpOp::kCommand}, {"quit", FtpOp::kQuit},
      {"mkdir", FtpOp::kCommand}, {"rmdir", FtpOp::kCommand}, {"cwd", FtpOp::kCommand},
      {"mdtm", FtpOp::kCommand}};
  FtpCall call;
  const std::string op = spec["op"];
  call.op = kOps.at(op);
  call.path = spec.value("path", "");
  call.to = spec.value("to", "");
  call.line = spec.value("line", "");
  if (op == "mkdir") call.line = "MKD " + call.path;
  if (op == "rmdir") call.line = "RMD " + call.path;
  if (op == "cwd") call.line = "CWD " + call.path;
  if (op == "mdtm") call.line = "MDTM " + call.path;
  call.user = spec.value("user", target.account_id(role));
  call.password = spec.value("password", "");
  call.tls = spec.value("tls", true);
  call.offset = spec.value("offset", std::uint64_t{0});
  const std::string mode = spec.value("mode", "store");
  call.mode = mode == "append" ? FtpCall::PutMode::kAppend
              : mode == "resume" ? FtpCall::PutMode::kResume
                                 : FtpCall::PutMode::kStore;
  if (spec.contains("content")) {
    const auto dir = std::filesystem::path(scenario_.path).parent_path();
    auto content = make_content(spec["content"], dir);
    if (!content.ok()) return content.status();
    call.content = std::move(*content);
  }
  auto reply = target.ftp(role, call);
  if (!reply.ok()) return no_answer("reply", reply.status());
  nlohmann::json response = ftp_response_json(*reply, call.op);
  response["op"] = op;
  return response;
}

Result<nlohmann::json> ScenarioRun::perform_wait(const nlohmann::json& spec, const std::string& role,
                                                 Target& target) {
  Duration timeout = kDefaultWaitTimeout;
  if (spec.contains("timeout")) {
    auto parsed = parse_duration(spec["timeout"]);
    if (!parsed.ok()) return parsed.status();
    timeout = *parsed;
  }
  const std::set<std::string> wanted(spec["status"].begin(), spec["status"].end());
  ApiCall call{"GET", "/1.0/images/" + spec["image"].get<std::string>(), "", {}, ApiAuth::kToken};
  Duration waited{0};
  while (true) {
    auto reply = call_api(role, call, target);
    if (!reply.ok()) return reply.status();
    nlohmann::json response = api_response_json(*reply);
    const auto status = value_at(response, "body.status");
    if (status.is_string() && wanted.count(status.get<std::string>()) != 0) return response;
    if (waited >= timeout) {
      return Status(ErrorCode::kConflict, "image " + spec["image"].get<std::string>() +
                                              " did not reach " + spec["status"].dump() +
                                              " within the timeout; last: " +
                                              (status.is_string() ? status.get<std::string>() : reply->body));
    }
    target.advance(target.poll_interval());
    waited += target.poll_interval();
  }
}

Result<nlohmann::json> ScenarioRun::perform_fault(const nlohmann::json& spec, const std::string& role) {
  FaultInjection* faults = target_.fault_injection();
  if (faults == nullptr) {
    return Status(ErrorCode::kBadRequest, "target " + target_.name() + " cannot inject faults");
  }
  auto fault = fault_spec_of(spec, role);
  if (!fault.ok()) return fault.status();
  IMAGELIB_RETURN_IF_ERROR(faults->inject(*fault));
  return nlohmann::json::object();
}

Result<nlohmann::json> ScenarioRun::perform(const nlohmann::json& raw_step, Target& target,
                                            Aliases& aliases) {
  auto interpolated = interpolate(raw_step, aliases);
  if (!interpolated.ok()) return interpolated.status();
  const nlohmann::json& step = *interpolated;
  const std::string role = account_role_of(scenario_, step);
  if (step.contains("api")) return perform_api(step["api"], role, target);
  if (step.contains("ftp")) return perform_ftp(step["ftp"], role, target);
  if (step.contains("wait")) return perform_wait(step["wait"], role, target);
  if (step.contains("fault")) return perform_fault(step["fault"], role);
  if (step.contains("setup")) {
    const auto& spec = step["setup"]["official_image"];
    OfficialImageCall call;
    call.name = spec["name"];
    call.arch = spec.value("arch", "x86_64");
    if (spec.contains("min_ram")) call.min_ram = spec["min_ram"].get<std::uint32_t>();
    call.compatibility_mode = spec.value("compatibility_mode", false);
    auto content = make_content(spec["content"], std::filesystem::path(scenario_.path).parent_path());
    if (!content.ok()) return content.status();
    call.content = std::move(*content);
    auto id = target.add_official_image(call);
    if (!id.ok()) return id.status();
    return nlohmann::json{{"body", {{"id", *id}}}};
  }
  auto duration = parse_duration(step["advance"]);
  if (!duration.ok()) return duration.status();
  target.advance(*duration);
  return nlohmann::json::object();
}

ScenarioResult ScenarioRun::run() {
  const auto started = std::chrono::steady_clock::now();
  ScenarioResult result{scenario_.path, scenario_.name, target_.name(), Outcome::kPassed, "", {}, 0};
  const auto features = target_.features();
  for (const auto& feature : scenario_.requires_features) {
    if (features.count(feature) == 0) {
      result.outcome = Outcome::kSkipped;
      result.skip_reason = "target " + target_.name() + " does not declare feature \"" + feature + "\"";
      return result;
    }
  }
  // A target may declare the feature (a remote config) without being able to.
  if (scenario_.requires_features.count("fault_injection") != 0 &&
      target_.fault_injection() == nullptr) {
    result.outcome = Outcome::kSkipped;
    result.skip_reason = "target " + target_.name() + " cannot inject faults";
    return result;
  }
  for (std::size_t i = 0; i < scenario_.steps.size(); ++i) {
    const nlohmann::json& step = scenario_.steps[i];
    const nlohmann::json captures = step.value("capture", nlohmann::json::object());
    StepResult step_result;
    step_result.number = i + 1;
    step_result.summary = summary_of(step, account_role_of(scenario_, step));
    const bool is_fault = step.contains("fault");
    auto response = perform(step, target_, aliases_);
    step_result.failures = std::move(answer_failures_);
    answer_failures_.clear();
    if (!response.ok()) {
      step_result.failures.push_back(response.status().message());
    } else {
      step_result.got = *response;
      auto expected = interpolate(step.value("expect", nlohmann::json::object()), aliases_);
      if (!expected.ok()) {
        step_result.failures.push_back(expected.status().message());
      } else if (response->contains("transport_error") && !accepts_no_answer(*expected, *response)) {
        step_result.expected = *expected;
        step_result.failures.push_back((*response)["transport_error"].get<std::string>());
      } else {
        step_result.expected = *expected;
        match(*expected, *response, "", step_result.failures);
      }
      for (const auto& [alias, path] : captures.items()) {
        const auto value = value_at(*response, path.get<std::string>());
        if (value.is_discarded()) {
          step_result.failures.push_back("capture " + alias + ": nothing at " + path.get<std::string>());
        } else {
          aliases_[alias] = value;
        }
      }
    }
    // Faults armed for this step must have happened during it.
    if (!is_fault && target_.fault_injection() != nullptr) {
      for (const auto& unfired : target_.fault_injection()->step_ended()) {
        step_result.failures.push_back("fault armed for this step: " + unfired);
      }
    }
    // The reference has no network: fault steps are played on the target
    // only. A step that opts out of the comparison is still played on the
    // reference, so that the two stay in step once the faults are over.
    if (model_ != nullptr && !is_fault) {
      auto model_response = perform(step, *model_, model_aliases_);
      if (model_response.ok()) {
        for (const auto& [alias, path] : captures.items()) {
          const auto value = value_at(*model_response, path.get<std::string>());
          if (value.is_discarded()) continue;
          model_aliases_[alias] = value;
          auto ours = aliases_.find(alias);
          static const std::regex kId("^[a-z]{3}-[0-9a-z]{5,}$");
          if (value.is_string() && ours != aliases_.end() && ours->second.is_string() &&
              std::regex_match(value.get<std::string>(), kId)) {
            comparison_->pair(ours->second.get<std::string>(), value.get<std::string>());
          }
        }
        if (response.ok() && step.value("compare_with_reference", true)) {
          compare_with_reference(*model_response, *response, step_result.failures);
        }
      }
    }
    const bool failed = !step_result.failures.empty();
    result.steps.push_back(std::move(step_result));
    if (failed) {
      result.outcome = Outcome::kFailed;
      break;
    }
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, Target& target, Target* model) {
  return ScenarioRun(scenario, target, model).run();
}

}  // namespace imagelib::conformance
