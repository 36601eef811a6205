#include "conformance/remote_target.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>

#include "conformance/ftp_call.h"
#include "net/basic_auth.h"
#include "net/clock.h"
#include "net/tls_context.h"

namespace imagelib::conformance {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Configs whose leftovers this process has already cleaned up.
std::set<std::string>& swept_configs() {
  static std::set<std::string> swept;
  return swept;
}
std::mutex& swept_mutex() {
  static std::mutex mutex;
  return mutex;
}

Result<asio::ssl::context> client_tls(const RemoteTls& tls, const std::string& host) {
  return net::make_verifying_client_tls_context({tls.ca_file, tls.insecure_skip_verify},
                                                tls.server_name.value_or(host));
}

std::string host_of(const std::string& base) {
  const auto start = base.find("://") + 3;
  const auto colon = base.rfind(':');
  std::string host = base.substr(start, colon - start);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

std::string folder_of(const std::string& path) {
  std::string folder = path;
  while (!folder.empty() && folder.back() == '/') folder.pop_back();
  while (!folder.empty() && folder.front() == '/') folder.erase(0, 1);
  return folder;
}

nlohmann::json json_of(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? nlohmann::json() : json;
}

std::string describe(const net::RawApiReply& reply) {
  return std::to_string(reply.status) + " " + reply.body.substr(0, 200);
}

}  // namespace

Result<std::unique_ptr<RemoteTarget>> RemoteTarget::open(const std::string& config_path) {
  auto config = load_remote_config(config_path);
  if (!config.ok()) return config.status();
  auto api_tls = client_tls(config->api.tls, host_of(config->api.base));
  if (!api_tls.ok()) return api_tls.status();
  auto ftp_tls = client_tls(config->ftps.tls, config->ftps.host);
  if (!ftp_tls.ok()) return ftp_tls.status();
  tcp::endpoint ftp_server;
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    ftp_server = *resolver.resolve(config->ftps.host, std::to_string(config->ftps.port)).begin();
  } catch (const boost::system::system_error& error) {
    return Status(ErrorCode::kBadRequest,
                  config_path + ": ftps.host " + config->ftps.host + ": " + error.what());
  }
  std::unique_ptr<RemoteTarget> target(
      new RemoteTarget(std::move(*config), std::move(*api_tls), std::move(*ftp_tls), ftp_server));
  IMAGELIB_RETURN_IF_ERROR(target->connect_actors());
  target->connected_ = true;
  bool first = false;
  {
    std::lock_guard lock(swept_mutex());
    first = swept_configs().insert(std::filesystem::absolute(config_path).string()).second;
  }
  if (first) {
    for (const auto& problem : target->clean_up(/*every_account_files=*/true)) {
      std::cerr << target->name() << ": cleanup before the run: " << problem << "\n";
    }
  }
  return target;
}

RemoteTarget::RemoteTarget(RemoteConfig config, asio::ssl::context api_tls, asio::ssl::context ftp_tls,
                           tcp::endpoint ftp_server)
    : config_(std::move(config)),
      prefix_(config_.name_prefix),
      api_tls_(std::move(api_tls)),
      ftp_tls_(std::move(ftp_tls)),
      ftp_server_(std::move(ftp_server)),
      api_client_(config_.api.base, api_tls_, config_.api.tls.server_name.value_or(""), config_.timeouts.call) {}

RemoteTarget::~RemoteTarget() {
  for (auto& [role, actor] : actors_) close_ftp(actor);
  if (!connected_) return;
  for (const auto& problem : clean_up(/*every_account_files=*/false)) {
    std::cerr << name() << ": cleanup: " << problem << "\n";
  }
}

Status RemoteTarget::connect_actors() {
  for (const auto& [role, credentials] : config_.accounts) {
    Actor& actor = actors_[role];
    actor.credentials = credentials;
    auto token = token_for(actor);
    if (!token.ok()) {
      return Status(token.status().code(),
                    config_.path + ": accounts." + role + ": " + token.status().message());
    }
    if (credentials.account_id) {
      actor.account_id = *credentials.account_id;
      continue;
    }
    auto account = call_as(actor, "GET", "/1.0/account");
    if (!account.ok()) return account.status();
    const auto body = json_of(account->body);
    if (account->status != 200 || !body.is_object() || !body.contains("id") || !body["id"].is_string()) {
      return Status(ErrorCode::kBadRequest, config_.path + ": accounts." + role +
                                                ": GET /1.0/account answered " + describe(*account));
    }
    actor.account_id = body["id"].get<std::string>();
  }
  return {};
}

std::string RemoteTarget::account_id(const std::string& role) const {
  auto it = actors_.find(role);
  return it == actors_.end() ? "" : it->second.account_id;
}

Result<RemoteTarget::Actor*> RemoteTarget::actor(const std::string& role) {
  auto it = actors_.find(role);
  if (it == actors_.end()) return Status(ErrorCode::kNotFound, "no actor role \"" + role + "\"");
  return &it->second;
}

Result<std::string> RemoteTarget::token_for(Actor& actor) {
  if (!actor.token.empty() && SteadyClock::now() < actor.token_refresh) return actor.token;
  auto reply = api_client_.send_raw(
      "POST", "/token",
      {{"authorization", net::basic_authorization(actor.credentials.client_id, actor.credentials.secret)},
       {"content-type", "application/json"}},
      R"({"grant_type":"client_credentials"})");
  if (!reply.ok()) return reply.status();
  const auto body = json_of(reply->body);
  if (reply->status != 200 || !body.is_object() || !body.contains("access_token") ||
      !body["access_token"].is_string()) {
    return Status(ErrorCode::kUnauthorized, "token request failed: " + describe(*reply));
  }
  const double lifetime = body.contains("expires_in") && body["expires_in"].is_number()
                              ? body["expires_in"].get<double>()
                              : 60.0;
  actor.token = body["access_token"].get<std::string>();
  actor.token_refresh = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                 std::chrono::duration<double>(lifetime / 2));
  return actor.token;
}

Result<std::string> RemoteTarget::expired_token_for(Actor& actor) {
  if (actor.credentials.expired_token) return *actor.credentials.expired_token;
  if (!actor.expired_token.empty()) return actor.expired_token;
  actor.token.clear();  // a token of its own, not the one other calls use
  auto token = token_for(actor);
  if (!token.ok()) return token.status();
  const auto issued = SteadyClock::now();
  const auto lifetime = 2 * (actor.token_refresh - issued);
  if (lifetime > config_.timeouts.token_expiry_wait) {
    return Status(ErrorCode::kConflict,
                  "no expired token: the deployment's tokens live " +
                      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(lifetime).count()) +
                      " s, above timeouts.token_expiry_wait_seconds; set accounts.ROLE.expired_token in " +
                      config_.path);
  }
  std::this_thread::sleep_for(lifetime + std::chrono::seconds(1));
  actor.expired_token = *token;
  actor.token.clear();
  return actor.expired_token;
}

Result<net::RawApiReply> RemoteTarget::call_as(Actor& actor, const std::string& method,
                                               const std::string& path, const std::string& body) {
  auto token = token_for(actor);
  if (!token.ok()) return token.status();
  std::map<std::string, std::string> headers{{"authorization", "Bearer " + *token}};
  if (!body.empty()) headers["content-type"] = "application/json";
  return api_client_.send_raw(method, path, headers, body);
}

Result<ApiReply> RemoteTarget::api(const std::string& role, const ApiCall& call) {
  auto who = actor(role);
  if (!who.ok()) return who.status();
  std::map<std::string, std::string> headers = call.headers;
  switch (call.auth) {
    case ApiAuth::kToken:
    case ApiAuth::kExpiredToken: {
      auto token = call.auth == ApiAuth::kToken ? token_for(**who) : expired_token_for(**who);
      if (!token.ok()) return token.status();
      headers["authorization"] = "Bearer " + *token;
      break;
    }
    case ApiAuth::kBadToken: headers["authorization"] = "Bearer not-a-token"; break;
    case ApiAuth::kNone: break;
  }
  const std::string body = prefix_.request_body(call.method, call.path, call.body);
  if (!body.empty() && headers.count("content-type") == 0) headers["content-type"] = "application/json";
  auto reply = api_client_.send_raw(call.method, call.path, headers, body);
  if (!reply.ok()) return reply.status();
  remember(call, *reply);
  ApiReply visible{reply->status, {}, prefix_.strip_body(reply->body)};
  for (const auto& [header, value] : reply->headers) visible.headers[header] = prefix_.strip(value);
  return visible;
}

void RemoteTarget::remember(const ApiCall& call, const net::RawApiReply& reply) {
  static const std::regex kSnapshot("^/1\\.0/servers/[^/]+/snapshot$");
  static const std::regex kLinkedImage("/1\\.0/images/([^/>]+)>");
  const std::string path = call.path.substr(0, call.path.find('?'));
  const auto body = json_of(reply.body);
  std::smatch match;
  if (call.method == "POST" && path == "/1.0/images" && reply.status == 201 && body.contains("id")) {
    made_images_.insert(body["id"].get<std::string>());
  } else if (call.method == "POST" && path == "/1.0/servers" && reply.status == 202 && body.contains("id")) {
    made_servers_.insert(body["id"].get<std::string>());
  } else if (call.method == "POST" && std::regex_match(path, kSnapshot) && reply.status == 202 &&
             reply.headers.count("link") != 0 &&
             std::regex_search(reply.headers.at("link"), match, kLinkedImage)) {
    made_images_.insert(match[1]);
  }
}

Result<FtpReply> RemoteTarget::ftp(const std::string& role, const FtpCall& call) {
  auto who = actor(role);
  if (!who.ok()) return who.status();
  Actor& actor = **who;
  if (call.op == FtpOp::kLogin) return call.tls ? ftp_login(actor, call) : plain_user_line(call.user);
  if (!actor.ftp || actor.ftp->is_closed()) {
    return Status(ErrorCode::kConflict, "no FTP session for " + role + ": log in first");
  }
  if (call.op == FtpOp::kQuit) {
    close_ftp(actor);
    return FtpReply{221, "221 Goodbye.", {}, 0};
  }
  FtpCall named = call;
  named.path = prefix_.ftp_path(call.path);
  named.to = prefix_.ftp_path(call.to);
  named.line = prefix_.ftp_command(call.line);
  const std::uint64_t number = actor.ftp->start(to_client_operation(named));
  if (!run_until([&] { return actor.outcomes.count(number) != 0; })) {
    close_ftp(actor);
    return Status(ErrorCode::kConflict, "FTP " + call.path + call.line + ": no reply within " +
                                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                               config_.timeouts.call)
                                                               .count()) +
                                            " s");
  }
  FtpReply reply = reply_from_outcome(actor.outcomes.at(number));
  actor.outcomes.erase(number);
  if (call.op == FtpOp::kPut) actor.uploaded = true;
  return visible_reply(call, std::move(reply));
}

FtpReply RemoteTarget::visible_reply(const FtpCall& call, FtpReply reply) const {
  reply.text = prefix_.strip(reply.text);
  if (call.op != FtpOp::kList) return reply;
  const std::string folder = folder_of(call.path);
  if (folder != "incoming" && folder != "images") return reply;
  // NLST: one name (or path) per line; keep this run's entries.
  std::string kept;
  const std::string listing(reply.data.begin(), reply.data.end());
  std::size_t pos = 0;
  while (pos < listing.size()) {
    std::size_t end = listing.find('\n', pos);
    if (end == std::string::npos) end = listing.size();
    std::string line = listing.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string entry = line.substr(line.rfind('/') == std::string::npos ? 0 : line.rfind('/') + 1);
    const bool ours = folder == "incoming" ? prefix_.marks(entry) : made_images_.count(entry) != 0;
    if (ours && !line.empty()) kept += prefix_.strip(line) + "\r\n";
  }
  reply.data.assign(kept.begin(), kept.end());
  return reply;
}

Result<FtpReply> RemoteTarget::ftp_login(Actor& actor, const FtpCall& call) {
  close_ftp(actor);
  FtpClientOptions options;
  options.user = call.user;
  options.password = call.password;
  actor.ftp = std::make_unique<net::FtpsClient>(io_, ftp_tls_, ftp_server_, options,
                                                config_.ftps.tls.server_name.value_or(""));
  actor.outcomes.clear();
  actor.ftp->connect([&actor](const FtpClientOutcome& outcome) { actor.outcomes[outcome.operation] = outcome; });
  if (!run_until([&] { return actor.outcomes.count(0) != 0; })) {
    close_ftp(actor);
    return Status(ErrorCode::kConflict, "FTPS login to " + config_.ftps.host + ": no reply in time");
  }
  const FtpClientOutcome login = actor.outcomes.at(0);
  actor.outcomes.erase(0);
  if (!login.ok) close_ftp(actor);
  FtpReply reply = reply_from_outcome(login);
  reply.text = prefix_.strip(reply.text);
  return reply;
}

Result<FtpReply> RemoteTarget::plain_user_line(const std::string& user) {
  // A client that never sends AUTH TLS: the greeting, then USER in the clear.
  boost::system::error_code error;
  tcp::socket socket(io_);
  socket.connect(ftp_server_, error);
  if (!error) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(config_.timeouts.call);
    timeval limit{static_cast<time_t>(seconds.count()), 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  asio::streambuf buffer;
  // The last line of a reply is "NNN text"; "NNN-" lines come before it.
  auto read_reply = [&]() -> std::string {
    std::string line;
    while (!error) {
      asio::read_until(socket, buffer, "\r\n", error);
      if (error) break;
      std::istream in(&buffer);
      std::getline(in, line);
      if (line.size() >= 4 && line[3] == ' ') return line;
    }
    return line;
  };
  if (!error) read_reply();
  if (!error) asio::write(socket, asio::buffer("USER " + user + "\r\n"), error);
  const std::string reply = error ? "" : read_reply();
  boost::system::error_code ignored;
  socket.close(ignored);
  if (error) {
    return Status(ErrorCode::kConflict,
                  "plain FTP connection to " + config_.ftps.host + " failed: " + error.message());
  }
  return reply_from_text(reply);
}

bool RemoteTarget::run_until(const std::function<bool()>& done) {
  const auto deadline = SteadyClock::now() + config_.timeouts.call;
  while (!done()) {
    const auto now = SteadyClock::now();
    if (now >= deadline) return false;
    if (io_.stopped()) io_.restart();
    if (io_.run_one_for(deadline - now) == 0 && io_.stopped() && !done()) return false;
  }
  return true;
}

void RemoteTarget::close_ftp(Actor& actor) {
  if (!actor.ftp) return;
  if (!actor.ftp->is_closed()) {
    actor.ftp->quit();
    (void)run_until([&] { return actor.ftp->is_closed(); });
  }
  actor.ftp.reset();
  io_.restart();
  io_.poll();
}

Result<std::string> RemoteTarget::add_official_image(const OfficialImageCall& call) {
  // There is no API to make one: find the deployment's official image of that name and arch.
  Actor& main = actors_.at("main");
  auto reply = call_as(main, "GET", "/1.0/images");
  if (!reply.ok()) return reply.status();
  const auto images = json_of(reply->body);
  if (reply->status != 200 || !images.is_array()) {
    return Status(ErrorCode::kConflict, "GET /1.0/images answered " + describe(*reply));
  }
  for (const auto& image : images) {
    if (image.value("official", false) && image.value("name", "") == call.name &&
        image.value("arch", "") == call.arch && image.contains("id")) {
      return image["id"].get<std::string>();
    }
  }
  return Status(ErrorCode::kNotFound, "the deployment has no official image \"" + call.name + "\" (" +
                                          call.arch + "); provision it or leave official_images out of "
                                          "the features in " + config_.path);
}

std::optional<Timestamp> RemoteTarget::now() const { return net::wall_clock_now(); }

void RemoteTarget::advance(Duration duration) { std::this_thread::sleep_for(duration); }

std::vector<std::string> RemoteTarget::clean_up(bool every_account_files) {
  std::vector<std::string> problems;
  for (auto& [role, actor] : actors_) {
    const Status servers = destroy_prefixed_servers(actor);
    if (!servers.ok()) problems.push_back(servers.message());
    auto listed = call_as(actor, "GET", "/1.0/images");
    const auto images = listed.ok() ? json_of(listed->body) : nlohmann::json();
    if (!listed.ok() || listed->status != 200 || !images.is_array()) {
      problems.push_back("cannot list " + role + "'s images: " +
                         (listed.ok() ? describe(*listed) : listed.status().message()));
      continue;
    }
    for (const auto& image : images) {
      if (!image.is_object() || image.value("owner", "") != actor.account_id) continue;
      const std::string id = image.value("id", "");
      if (!prefix_.marks(image.value("name", "")) && made_images_.count(id) == 0) continue;
      const Status destroyed = destroy_image(actor, image);
      if (!destroyed.ok()) problems.push_back(destroyed.message());
    }
    if (every_account_files || actor.uploaded) {
      const Status deleted = delete_incoming_files(actor);
      if (!deleted.ok()) problems.push_back(deleted.message());
    }
  }
  return problems;
}

Status RemoteTarget::destroy_prefixed_servers(Actor& actor) {
  auto listed = call_as(actor, "GET", "/1.0/servers");
  const auto servers = listed.ok() ? json_of(listed->body) : nlohmann::json();
  if (!listed.ok() || listed->status != 200 || !servers.is_array()) {
    return Status(ErrorCode::kInternal, "cannot list the servers of " + actor.account_id + ": " +
                                            (listed.ok() ? describe(*listed) : listed.status().message()));
  }
  for (const auto& server : servers) {
    if (!server.is_object()) continue;
    const std::string id = server.value("id", "");
    if (!prefix_.marks(server.value("name", "")) && made_servers_.count(id) == 0) continue;
    auto destroyed = call_as(actor, "DELETE", "/1.0/servers/" + id);
    if (!destroyed.ok() || (destroyed->status != 202 && destroyed->status != 404)) {
      return Status(ErrorCode::kInternal, "cannot destroy server " + id + ": " +
                                              (destroyed.ok() ? describe(*destroyed)
                                                              : destroyed.status().message()));
    }
  }
  return {};
}

Status RemoteTarget::destroy_image(Actor& actor, nlohmann::json image) {
  const std::string id = image.value("id", "");
  const auto deadline = SteadyClock::now() + config_.timeouts.job;
  while (true) {
    if (image.value("status", "") == "creating" && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(config_.timeouts.poll_interval);
      auto shown = call_as(actor, "GET", "/1.0/images/" + id);
      if (!shown.ok()) return shown.status();
      if (shown->status == 404) return {};
      image = json_of(shown->body);
      continue;
    }
    if (image.value("locked", false)) {
      auto unlocked = call_as(actor, "PUT", "/1.0/images/" + id + "/unlock_resource");
      if (!unlocked.ok()) return unlocked.status();
    }
    auto destroyed = call_as(actor, "DELETE", "/1.0/images/" + id);
    if (!destroyed.ok()) return destroyed.status();
    if (destroyed->status >= 300 && destroyed->status != 404) {
      return Status(ErrorCode::kConflict, "cannot destroy " + id + ": " + describe(*destroyed));
    }
    return {};
  }
}

Status RemoteTarget::delete_incoming_files(Actor& actor) {
  // A user's way in: a fresh FTP password (the run's sessions are over).
  auto reset = call_as(actor, "POST", "/1.0/accounts/" + actor.account_id + "/reset_ftp_password");
  if (!reset.ok()) return reset.status();
  const auto body = json_of(reset->body);
  if (reset->status != 200 || !body.contains("library_ftp_password") ||
      !body["library_ftp_password"].is_string()) {
    return Status(ErrorCode::kConflict,
                  "cannot reset the FTP password of " + actor.account_id + ": " + describe(*reset));
  }
  const FtpClientOptions options{actor.account_id, body["library_ftp_password"].get<std::string>()};
  auto listed = net::run_ftps_operations(ftp_server_, ftp_tls_, options,
                                         {FtpListOperation{"/incoming", FtpListingKind::kNlst}});
  if (!listed.ok()) return listed.status();
  if (listed->size() < 2 || !listed->at(1).ok) {
    return Status(ErrorCode::kConflict, "cannot list " + actor.account_id + "'s incoming/ over FTPS: " +
                                            listed->back().reply_text);
  }
  std::vector<FtpClientOperation> deletions;
  const std::string listing(listed->at(1).data.begin(), listed->at(1).data.end());
  std::istringstream lines(listing);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string entry = line.substr(line.rfind('/') == std::string::npos ? 0 : line.rfind('/') + 1);
    if (prefix_.marks(entry)) deletions.push_back(FtpDeleteOperation{"/incoming/" + entry});
  }
  if (deletions.empty()) return {};
  auto deleted = net::run_ftps_operations(ftp_server_, ftp_tls_, options, std::move(deletions));
  if (!deleted.ok()) return deleted.status();
  for (const auto& outcome : *deleted) {
    if (!outcome.ok) return Status(ErrorCode::kConflict, "FTPS cleanup: " + outcome.reply_text);
  }
  return {};
}

}  // namespace imagelib::conformance
