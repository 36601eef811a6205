#include "conformance/direct_target.h"

#include <nlohmann/json.hpp>

#include "conformance/official_image.h"
#include "conformance/ftp_call.h"
#include "net/basic_auth.h"

namespace imagelib::conformance {
namespace {

constexpr std::int64_t kStartSeconds = 1305806400;  // 2011-05-19T12:00:00Z

}  // namespace

DirectTarget::DirectTarget(std::uint64_t seed, Mutation mutation)
    : library_(LibraryOptions{.seed = seed, .mutation = mutation}),
      api_(library_),
      now_(Timestamp::from_unix_seconds(kStartSeconds)) {
  for (const std::string role : {"main", "alt"}) {
    Actor actor;
    actor.account = library_.create_account(role, std::nullopt, now_).value().id;
    const ApiClient client = library_.create_api_client(actor.account).value();
    actor.client = client.id;
    actor.secret = client.secret;
    actors_[role] = std::move(actor);
  }
}

std::string DirectTarget::name() const {
  const Mutation mutation = library_.options().mutation;
  return mutation == Mutation::kNone ? "direct" : "direct+mutant:" + std::string(to_string(mutation));
}

std::set<std::string> DirectTarget::features() const {
  return {"api", "ftp", "official_images", "snapshots", "servers", "extensions", "ftp_mlsd", "quota"};
}

std::string DirectTarget::account_id(const std::string& role) const {
  auto it = actors_.find(role);
  return it == actors_.end() ? "" : it->second.account;
}

Result<DirectTarget::Actor*> DirectTarget::actor(const std::string& role) {
  auto it = actors_.find(role);
  if (it == actors_.end()) return Status(ErrorCode::kNotFound, "no actor role \"" + role + "\"");
  return &it->second;
}

Result<std::string> DirectTarget::token_for(Actor& actor) {
  if (!actor.token.empty() && now_ - actor.token_issued < std::chrono::hours(1)) return actor.token;
  HttpRequest request{"POST", "/token",
                      {{"authorization", net::basic_authorization(actor.client, actor.secret)},
                       {"content-type", "application/json"}},
                      R"({"grant_type":"client_credentials"})"};
  const HttpResponse response = api_.handle(request, now_);
  if (response.status != 200) {
    return Status(ErrorCode::kUnauthorized, "token request failed: " + response.body);
  }
  actor.token = nlohmann::json::parse(response.body)["access_token"];
  actor.token_issued = now_;
  return actor.token;
}

Result<ApiReply> DirectTarget::api(const std::string& role, const ApiCall& call) {
  auto who = actor(role);
  if (!who.ok()) return who.status();
  HttpRequest request{call.method, call.path, call.headers, call.body};
  switch (call.auth) {
    case ApiAuth::kToken: {
      auto token = token_for(**who);
      if (!token.ok()) return token.status();
      request.headers["authorization"] = "Bearer " + *token;
      break;
    }
    case ApiAuth::kBadToken: request.headers["authorization"] = "Bearer not-a-token"; break;
    case ApiAuth::kExpiredToken: {
      auto token = token_for(**who);
      if (!token.ok()) return token.status();
      request.headers["authorization"] = "Bearer " + *token;
      const HttpResponse response = api_.handle(request, now_ + api_.options().token_lifetime +
                                                             std::chrono::seconds(1));
      return ApiReply{response.status, response.headers, response.body};
    }
    case ApiAuth::kNone: break;
  }
  if (!request.body.empty() && request.headers.count("content-type") == 0) {
    request.headers["content-type"] = "application/json";
  }
  const HttpResponse response = api_.handle(request, now_);
  return ApiReply{response.status, response.headers, response.body};
}

Result<FtpReply> DirectTarget::ftp(const std::string& role, const FtpCall& call) {
  auto who = actor(role);
  if (!who.ok()) return who.status();
  Actor& actor = **who;
  library_.run_jobs_until(now_);
  if (call.op == FtpOp::kLogin) {
    if (!call.tls) {
      const std::string reply = InProcessFtp::plain_reply(library_, "USER " + call.user, now_);
      return reply_from_text(reply);
    }
    actor.ftp = std::make_unique<InProcessFtp>(library_, call.user, call.password, now_);
    return reply_from_outcome(actor.ftp->login_outcome());
  }
  if (!actor.ftp || !actor.ftp->is_open()) {
    return Status(ErrorCode::kConflict, "no FTP session for " + role + ": log in first");
  }
  if (call.op == FtpOp::kQuit) {
    actor.ftp->quit(now_);
    actor.ftp.reset();
    return FtpReply{221, "221 Goodbye.", {}, 0};
  }
  return reply_from_outcome(actor.ftp->run(to_client_operation(call), now_));
}

Result<std::string> DirectTarget::add_official_image(const OfficialImageCall& call) {
  return add_official_image_to(library_, call, now_);
}

void DirectTarget::advance(Duration duration) {
  now_ = now_ + duration;
  library_.run_jobs_until(now_);
}

}  // namespace imagelib::conformance
