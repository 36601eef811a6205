// AccountActor: one account's user on a client host, walking the seed
// document's journey through the simulated network as a real client would:
// API token, FTP password reset, FTPS upload to incoming/ (resumed with
// REST after a failure), register, wait until available, list,
// compatibility mode, public, deprecated, a server, a snapshot of it,
// download of the snapshot over FTPS (resumed with REST), then extra
// operations drawn from the seed (cross-account probes, listings, a scratch
// upload and delete, a data connection without TLS session reuse that must
// get `522`). Operations that fail because of the network are retried after
// a backoff; answers that break the SPEC are reported as violations.
// Single-threaded; owned by the Workload.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/base/rng.h"
#include "reference/library/model.h"
#include "simulator/api_client_channel.h"
#include "simulator/ftp_client_connection.h"
#include "simulator/host.h"

namespace imagelib::sim {

// What every actor knows about the others: their private ids, for probes.
struct SharedKnowledge {
  std::map<AccountId, std::set<ImageId>> private_images;  // never made public
};

struct ActorCredentials {
  AccountId account;
  ClientId client_id;
  std::string client_secret;
};

class AccountActor {
 public:
  using ViolationCallback = std::function<void(const std::string&)>;

  AccountActor(Host& host, ActorCredentials credentials, Bytes disk, int extra_operations,
               Rng rng, SharedKnowledge& shared, ViolationCallback on_violation);
  ~AccountActor();
  AccountActor(const AccountActor&) = delete;
  AccountActor& operator=(const AccountActor&) = delete;

  void start();
  bool done() const { return step_ == Step::kDone; }
  // "upload (attempt 3)" for reports of a run that did not finish.
  std::string progress() const;
  const AccountId& account() const { return credentials_.account; }
  std::uint64_t retries() const { return retries_; }
  std::uint64_t operations() const { return operations_; }

 private:
  enum class Step {
    kToken, kResetPassword, kUpload, kRegister, kFindRegistered, kAwaitAvailable, kList,
    kCompatibility, kPublic, kDeprecated, kCreateServer, kSnapshot, kAwaitSnapshot, kDownload,
    kExtras, kDone
  };
  enum class Extra { kCrossShow, kCrossRetr, kListImagesFolder, kApiList, kScratch, kNoTlsReuse };

  void run_step();
  void advance(Step next);
  void retry(const std::string& why);
  void violation(const std::string& what);
  void after(SimTime delay, std::string label, std::function<void(AccountActor&)> action);

  // API: a request with the bearer token; nullopt responses (lost) and 401 retry the step.
  // `on_lost` (default: retry the step) runs when no response came.
  void api(const std::string& method, const std::string& target, const nlohmann::json& body,
           std::function<void(const HttpResponse&, const nlohmann::json&)> on_response,
           std::function<void()> on_lost = nullptr);
  // FTP: an operation on the logged-in connection (made on demand).
  void ftp(FtpClientOperation operation, std::function<void(const FtpClientOutcome&)> on_outcome);
  void on_ftp_outcome(const FtpClientOutcome& outcome);
  void drop_ftp();
  // A reply that says the network or the session broke, not the request.
  static bool is_transport_failure(const FtpClientOutcome& outcome);

  void step_upload();
  void step_register();
  void step_find_registered();
  void step_await(const ImageId& id, Step next);
  void step_download();
  void step_extra();
  void finish_extra();
  std::optional<ImageId> others_private_image();

  Host& host_;
  ActorCredentials credentials_;
  std::shared_ptr<const Bytes> disk_;
  std::string disk_sha256_;
  int extras_left_;
  Rng rng_;
  SharedKnowledge& shared_;
  ViolationCallback on_violation_;
  std::shared_ptr<ApiClientChannel> api_channel_;
  std::shared_ptr<FtpClientConnection> ftp_;
  std::uint64_t ftp_next_operation_ = 1;
  std::map<std::uint64_t, std::function<void(const FtpClientOutcome&)>> ftp_waiting_;
  std::shared_ptr<FtpClientConnection> rogue_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  Step step_ = Step::kToken;
  int attempt_ = 0;
  std::uint64_t retries_ = 0;
  std::uint64_t operations_ = 0;
  std::string token_;
  std::string ftp_password_;
  std::string upload_name_;
  ImageId image_;
  std::string server_;
  ImageId snapshot_;
  Bytes downloaded_;
  bool upload_fresh_ = true;      // the next upload attempt starts over (STOR)
  bool register_refused_ = false;  // POST /1.0/images answered 422
  Extra extra_ = Extra::kApiList;
  bool extra_chosen_ = false;
  int scratch_count_ = 0;
  int scratch_stage_ = 0;
};

}  // namespace imagelib::sim
