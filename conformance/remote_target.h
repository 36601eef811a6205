// RemoteTarget (`remote:FILE`): any deployment of the image library, reached
// over FTPS and HTTPS as its users reach it, with the accounts, TLS settings
// and features of a RemoteConfig (conformance/remote_config.h).
//
// - API calls go as the scenario wrote them, with a token of the actor's
//   client credentials (fetched again at half its lifetime). An expired
//   token is the config's `expired_token`, or a fresh token waited out when
//   the deployment's lifetime is short enough (timeouts.token_expiry_wait).
// - FTP: one FTPS control session per actor from login to quit; passwords
//   come from POST /1.0/accounts/{id}/reset_ftp_password, as users get them.
// - Names: the run's prefix goes in front of the names requests give and of
//   file names in incoming/, and is taken out of every answer (NamePrefix);
//   listings of incoming/ show only prefixed files, listings of images/ only
//   the images this target made, so what others keep there is invisible.
// - Cleanup: the first target of a config in a process destroys the
//   accounts' prefixed images and deletes their prefixed files in incoming/;
//   every target does the same when it ends for what it made. Nothing
//   without the prefix is touched but what this target made.
// - Official images cannot be made through the API: with the
//   "official_images" feature, a setup step finds the deployment's official
//   image of that name and arch.
// - advance() waits in real time; wait steps poll every timeouts.poll_interval.
// Made by make_target("remote:FILE"). Not thread-safe.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "conformance/name_prefix.h"
#include "conformance/remote_config.h"
#include "conformance/target.h"
#include "net/api_client.h"
#include "net/ftps_client.h"

namespace imagelib::conformance {

class RemoteTarget final : public Target {
 public:
  // Reads the config, gets both accounts' tokens and ids, and (once per
  // config and process) cleans up what earlier runs left.
  static Result<std::unique_ptr<RemoteTarget>> open(const std::string& config_path);
  ~RemoteTarget() override;
  RemoteTarget(const RemoteTarget&) = delete;
  RemoteTarget& operator=(const RemoteTarget&) = delete;

  std::string name() const override { return "remote:" + config_.path; }
  std::set<std::string> features() const override { return config_.features; }
  std::string account_id(const std::string& role) const override;
  Result<ApiReply> api(const std::string& role, const ApiCall& call) override;
  Result<FtpReply> ftp(const std::string& role, const FtpCall& call) override;
  Result<std::string> add_official_image(const OfficialImageCall& call) override;
  void advance(Duration duration) override;
  Duration poll_interval() const override { return config_.timeouts.poll_interval; }
  std::optional<Timestamp> now() const override;
  bool dedicated_accounts() const override { return config_.dedicated_accounts; }
  std::set<std::string> extra_fields() const override { return config_.extra_fields; }

  // Destroys the accounts' prefixed servers and the servers this target
  // made (before their snapshots), their prefixed images and the images this target made
  // (waiting for their jobs, unlocking locked ones), and deletes the
  // prefixed files in incoming/ of every account (`every_account_files`) or
  // of those this target uploaded with. Returns what it could not remove.
  std::vector<std::string> clean_up(bool every_account_files);

 private:
  struct Actor {
    RemoteAccount credentials;
    std::string account_id;
    std::string token;
    std::chrono::steady_clock::time_point token_refresh{};
    std::string expired_token;
    bool uploaded = false;     // put something into incoming/
    std::unique_ptr<net::FtpsClient> ftp;
    std::map<std::uint64_t, FtpClientOutcome> outcomes;
  };

  RemoteTarget(RemoteConfig config, boost::asio::ssl::context api_tls,
               boost::asio::ssl::context ftp_tls, boost::asio::ip::tcp::endpoint ftp_server);
  Status connect_actors();
  Result<Actor*> actor(const std::string& role);
  Result<std::string> token_for(Actor& actor);
  Result<std::string> expired_token_for(Actor& actor);
  // One API request with the actor's token, names as they are on the deployment.
  Result<net::RawApiReply> call_as(Actor& actor, const std::string& method, const std::string& path,
                                   const std::string& body = "");
  // Notes the images a request made, for listings and cleanup.
  void remember(const ApiCall& call, const net::RawApiReply& reply);

  Result<FtpReply> ftp_login(Actor& actor, const FtpCall& call);
  Result<FtpReply> plain_user_line(const std::string& user);
  // Runs the io_context until `done` or the call timeout; false on timeout.
  bool run_until(const std::function<bool()>& done);
  void close_ftp(Actor& actor);
  // The reply as the scenario sees it: prefix taken out, listings of
  // incoming/ and images/ reduced to this run's entries.
  FtpReply visible_reply(const FtpCall& call, FtpReply reply) const;

  // `image` as a listing shows it.
  Status destroy_image(Actor& actor, nlohmann::json image);
  // DELETE of each of the actor's servers whose name has the prefix or that this target made.
  Status destroy_prefixed_servers(Actor& actor);
  Status delete_incoming_files(Actor& actor);

  RemoteConfig config_;
  NamePrefix prefix_;
  boost::asio::ssl::context api_tls_;
  boost::asio::ssl::context ftp_tls_;
  boost::asio::ip::tcp::endpoint ftp_server_;
  net::ApiClient api_client_;
  boost::asio::io_context io_;
  std::map<std::string, Actor> actors_;
  std::set<std::string> made_images_;  // ids of the images this target made
  std::set<std::string> made_servers_;  // ids of the servers this target made
  bool connected_ = false;             // both accounts answered: cleanup may run
};

}  // namespace imagelib::conformance
