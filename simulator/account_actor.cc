#include "simulator/account_actor.h"

#include <algorithm>

#include "reference/base/blob.h"
#include "reference/base/sha256.h"

namespace imagelib::sim {
namespace {

constexpr SimTime kApiTimeout = 30 * kSecond;
constexpr SimTime kPollInterval = kSecond;

std::string base64(std::string_view text) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < text.size()) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(text[i])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(text[i + 1])) << 8) |
                   static_cast<unsigned char>(text[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
    i += 3;
  }
  if (i < text.size()) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(text[i])) << 16;
    if (i + 1 < text.size()) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(text[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < text.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

std::string outcome_summary(const FtpClientOutcome& outcome) {
  return std::to_string(outcome.reply_code) + " " + outcome.reply_text.substr(0, 60);
}

}  // namespace

AccountActor::AccountActor(Host& host, ActorCredentials credentials, Bytes disk, int extra_operations,
                           Rng rng, SharedKnowledge& shared, ViolationCallback on_violation)
    : host_(host),
      credentials_(std::move(credentials)),
      extras_left_(extra_operations),
      rng_(rng),
      shared_(shared),
      on_violation_(std::move(on_violation)),
      api_channel_(std::make_shared<ApiClientChannel>(host, kApiTimeout)) {
  disk_sha256_ = sha256_hex(disk);
  disk_ = std::make_shared<const Bytes>(std::move(disk));
  upload_name_ = "disk-" + credentials_.account + ".img";
}

AccountActor::~AccountActor() {
  *alive_ = false;
  if (ftp_) ftp_->abort();
  if (rogue_) rogue_->abort();
}

void AccountActor::start() { run_step(); }

std::string AccountActor::progress() const {
  static constexpr const char* kNames[] = {
      "token", "reset password", "upload", "register", "find registered", "await available",
      "list", "compatibility", "public", "deprecated", "create server", "snapshot",
      "await snapshot", "download", "extras", "done"};
  return std::string(kNames[static_cast<int>(step_)]) + " (attempt " + std::to_string(attempt_ + 1) + ")";
}

void AccountActor::after(SimTime delay, std::string label, std::function<void(AccountActor&)> action) {
  std::weak_ptr<bool> alive = alive_;
  host_.loop().schedule_after(delay, credentials_.account + " " + label,
                              [alive, this, action = std::move(action)] {
    auto flag = alive.lock();
    if (flag && *flag) action(*this);
  });
}

void AccountActor::advance(Step next) {
  step_ = next;
  attempt_ = 0;
  ++operations_;
  host_.loop().note(credentials_.account + " -> " + progress());
  run_step();
}

void AccountActor::retry(const std::string& why) {
  ++retries_;
  ++attempt_;
  // Exponential backoff with jitter, as client libraries do, capped at 2 s.
  const SimTime base = std::min<SimTime>(2 * kSecond, 50 * kMillisecond << std::min(attempt_, 6));
  const SimTime delay = base + rng_.uniform_between(0, base);
  host_.loop().note(credentials_.account + " retries " + progress() + ": " + why);
  after(delay, "retry", [](AccountActor& a) { a.run_step(); });
}

void AccountActor::violation(const std::string& what) {
  on_violation_(credentials_.account + " at " + progress() + ": " + what);
}

void AccountActor::api(const std::string& method, const std::string& target,
                       const nlohmann::json& body,
                       std::function<void(const HttpResponse&, const nlohmann::json&)> on_response,
                       std::function<void()> on_lost) {
  HttpRequest request;
  request.method = method;
  request.target = target;
  request.headers["authorization"] = "Bearer " + token_;
  request.headers["host"] = "api.library.localhost";
  if (!body.is_null()) {
    request.headers["content-type"] = "application/json";
    request.body = body.dump();
  }
  api_channel_->send(std::move(request), [this, on_response = std::move(on_response),
                                          on_lost = std::move(on_lost)](std::optional<HttpResponse> r) {
    if (!r) {
      if (on_lost) return on_lost();
      return retry("API response lost");
    }
    if (r->status == 401) {
      token_.clear();
      return retry("token refused (401)");
    }
    const nlohmann::json json = nlohmann::json::parse(r->body, nullptr, false);
    on_response(*r, json);
  });
}

bool AccountActor::is_transport_failure(const FtpClientOutcome& outcome) {
  switch (outcome.reply_code) {
    case 0: case 421: case 425: case 426: case 450: case 451: return true;
    default: return false;
  }
}

void AccountActor::ftp(FtpClientOperation operation,
                       std::function<void(const FtpClientOutcome&)> on_outcome) {
  if (!ftp_ || ftp_->is_closed()) {
    if (ftp_) ftp_->abort();
    std::weak_ptr<bool> alive = alive_;
    ftp_ = std::make_shared<FtpClientConnection>(
        host_, FtpClientOptions{.user = credentials_.account, .password = ftp_password_}, true,
        [alive, this](const FtpClientOutcome& outcome) {
          auto flag = alive.lock();
          if (flag && *flag) on_ftp_outcome(outcome);
        });
    ftp_->connect();
    ftp_next_operation_ = 1;
    ftp_waiting_.clear();
  }
  ftp_waiting_[ftp_next_operation_++] = std::move(on_outcome);
  ftp_->start(std::move(operation));
}

void AccountActor::on_ftp_outcome(const FtpClientOutcome& outcome) {
  if (outcome.operation == 0) {
    if (outcome.ok) return;
    drop_ftp();
    return retry("FTP login failed: " + outcome_summary(outcome));
  }
  auto it = ftp_waiting_.find(outcome.operation);
  if (it == ftp_waiting_.end()) return;
  auto callback = std::move(it->second);
  ftp_waiting_.erase(it);
  callback(outcome);
}

void AccountActor::drop_ftp() {
  if (ftp_) ftp_->abort();
  ftp_.reset();
  ftp_waiting_.clear();
}

void AccountActor::run_step() {
  // Every API step needs a token; every FTP step a password.
  if (token_.empty() && step_ != Step::kDone) {
    HttpRequest request;
    request.method = "POST";
    request.target = "/token";
    request.headers["authorization"] =
        "Basic " + base64(credentials_.client_id + ":" + credentials_.client_secret);
    request.headers["content-type"] = "application/json";
    request.body = R"({"grant_type":"client_credentials"})";
    api_channel_->send(std::move(request), [this](std::optional<HttpResponse> r) {
      if (!r) return retry("token response lost");
      const nlohmann::json json = nlohmann::json::parse(r->body, nullptr, false);
      if (r->status != 200 || !json.contains("access_token")) {
        return violation("POST /token answered " + std::to_string(r->status) + " " + r->body);
      }
      token_ = json["access_token"].get<std::string>();
      if (step_ == Step::kToken) return advance(Step::kResetPassword);
      run_step();
    });
    return;
  }
  const std::string images = "/1.0/images/";
  switch (step_) {
    case Step::kToken:
      return advance(Step::kResetPassword);
    case Step::kResetPassword:
      return api("POST", "/1.0/accounts/" + credentials_.account + "/reset_ftp_password",
                 nlohmann::json::object(), [this](const HttpResponse& r, const nlohmann::json& j) {
        if (r.status != 200 || !j.contains("library_ftp_password") ||
            !j["library_ftp_password"].is_string()) {
          return violation("reset_ftp_password answered " + std::to_string(r.status) + " " + r.body);
        }
        ftp_password_ = j["library_ftp_password"].get<std::string>();
        drop_ftp();
        advance(Step::kUpload);
      });
    case Step::kUpload:
      return step_upload();
    case Step::kRegister:
      return step_register();
    case Step::kFindRegistered:
      return step_find_registered();
    case Step::kAwaitAvailable:
      return step_await(image_, Step::kList);
    case Step::kList:
      return api("GET", "/1.0/images", nullptr, [this](const HttpResponse& r, const nlohmann::json& j) {
        if (r.status != 200 || !j.is_array()) return violation("GET /1.0/images answered " + std::to_string(r.status));
        for (const auto& image : j) {
          if (image.value("id", "") == image_) return advance(Step::kCompatibility);
        }
        violation("the registered image " + image_ + " is not listed");
      });
    case Step::kCompatibility:
      return api("PUT", images + image_, {{"compatibility_mode", true}},
                 [this](const HttpResponse& r, const nlohmann::json& j) {
        if (r.status != 200 || j.value("compatibility_mode", false) != true) {
          return violation("compatibility mode update answered " + std::to_string(r.status) + " " + r.body);
        }
        advance(Step::kPublic);
      });
    case Step::kPublic:
      return api("PUT", images + image_, {{"public", true}},
                 [this](const HttpResponse& r, const nlohmann::json& j) {
        if (r.status != 200 || j.value("public", false) != true) {
          return violation("public update answered " + std::to_string(r.status) + " " + r.body);
        }
        advance(Step::kDeprecated);
      });
    case Step::kDeprecated:
      return api("PUT", images + image_, {{"status", "deprecated"}},
                 [this](const HttpResponse& r, const nlohmann::json& j) {
        if (r.status != 200 || j.value("status", "") != "deprecated") {
          return violation("deprecation answered " + std::to_string(r.status) + " " + r.body);
        }
        advance(Step::kCreateServer);
      });
    case Step::kCreateServer:
      // A lost response may leave an extra server behind, as with any client.
      return api("POST", "/1.0/servers", {{"image", image_}},
                 [this](const HttpResponse& r, const nlohmann::json& j) {
        if (r.status != 202 || !j.contains("id")) {
          return violation("server create answered " + std::to_string(r.status) + " " + r.body);
        }
        if (j.value("compatibility_mode", false) != true) {
          return violation("server of a compatibility-mode image lacks the mode: " + r.body);
        }
        server_ = j["id"].get<std::string>();
        advance(Step::kSnapshot);
      });
    case Step::kSnapshot:
      return api("POST", "/1.0/servers/" + server_ + "/snapshot", nlohmann::json::object(),
                 [this](const HttpResponse& r, const nlohmann::json&) {
        auto link = r.headers.find("link");
        const std::string marker = "/1.0/images/";
        const std::size_t at = link == r.headers.end() ? std::string::npos : link->second.find(marker);
        if (r.status != 202 || at == std::string::npos) {
          return violation("snapshot answered " + std::to_string(r.status) + " without a Link header");
        }
        const std::string rest = link->second.substr(at + marker.size());
        snapshot_ = rest.substr(0, rest.find('>'));
        shared_.private_images[credentials_.account].insert(snapshot_);
        advance(Step::kAwaitSnapshot);
      });
    case Step::kAwaitSnapshot:
      return step_await(snapshot_, Step::kDownload);
    case Step::kDownload:
      return step_download();
    case Step::kExtras:
      return step_extra();
    case Step::kDone:
      return;
  }
}

void AccountActor::step_upload() {
  if (ftp_password_.empty()) return advance(Step::kResetPassword);
  auto content = std::make_shared<MemoryBlob>();
  (void)content->write_at(0, *disk_);
  const FtpUploadMode mode = upload_fresh_ ? FtpUploadMode::kReplace : FtpUploadMode::kResumeWithRest;
  ftp(FtpUploadOperation{"/incoming/" + upload_name_, content, mode},
      [this, mode](const FtpClientOutcome& outcome) {
    if (outcome.ok) return advance(Step::kRegister);
    if (is_transport_failure(outcome)) {
      upload_fresh_ = false;
      drop_ftp();
      return retry("upload broke: " + outcome_summary(outcome));
    }
    if (mode == FtpUploadMode::kResumeWithRest && outcome.reply_code == 550) {
      upload_fresh_ = true;  // nothing to resume: start over
      return retry("nothing to resume: " + outcome_summary(outcome));
    }
    violation("upload refused: " + outcome_summary(outcome));
  });
}

void AccountActor::step_register() {
  const nlohmann::json body = {{"arch", "x86_64"}, {"source", upload_name_},
                               {"name", "sim " + credentials_.account}};
  api("POST", "/1.0/images", body, [this](const HttpResponse& r, const nlohmann::json& j) {
    if (r.status == 201 && j.contains("id")) {
      image_ = j["id"].get<std::string>();
      if (j.value("status", "") != "creating" && j.value("status", "") != "available") {
        return violation("a new registration is " + j.value("status", "?"));
      }
      return advance(Step::kAwaitAvailable);
    }
    if (r.status == 422) {
      // An earlier attempt may have registered it before its response was lost.
      register_refused_ = true;
      return advance(Step::kFindRegistered);
    }
    violation("register answered " + std::to_string(r.status) + " " + r.body);
  }, [this] { advance(Step::kFindRegistered); });
}

void AccountActor::step_find_registered() {
  api("GET", "/1.0/images", nullptr, [this](const HttpResponse& r, const nlohmann::json& j) {
    if (r.status != 200 || !j.is_array()) return violation("GET /1.0/images answered " + std::to_string(r.status));
    for (const auto& image : j) {
      if (image.value("owner", "") == credentials_.account && image.value("source", "") == upload_name_ &&
          image.value("source_type", "") == "upload") {
        image_ = image["id"].get<std::string>();
        return advance(Step::kAwaitAvailable);
      }
    }
    if (register_refused_) {
      return violation("upload lost: " + upload_name_ + " is neither in incoming/ nor registered");
    }
    advance(Step::kRegister);
  });
}

void AccountActor::step_await(const ImageId& id, Step next) {
  api("GET", "/1.0/images/" + id, nullptr, [this, id, next](const HttpResponse& r, const nlohmann::json& j) {
    if (r.status != 200) return violation("GET image " + id + " answered " + std::to_string(r.status));
    const std::string status = j.value("status", "");
    if (status == "available") {
      if (j.value("sha256", "") != disk_sha256_) {
        return violation("image " + id + " sha256 " + j.value("sha256", "") + " is not the disk's " + disk_sha256_);
      }
      return advance(next);
    }
    if (status == "creating") {
      return after(kPollInterval, "polls " + id, [](AccountActor& a) { a.run_step(); });
    }
    violation("image " + id + " ended " + status + ": " + j.value("status_reason", ""));
  });
}

void AccountActor::step_download() {
  ftp(FtpDownloadOperation{"/images/" + snapshot_, downloaded_.size()},
      [this](const FtpClientOutcome& outcome) {
    downloaded_.insert(downloaded_.end(), outcome.data.begin(), outcome.data.end());
    if (outcome.ok) {
      if (sha256_hex(downloaded_) != disk_sha256_) {
        return violation("downloaded snapshot (" + std::to_string(downloaded_.size()) +
                         " bytes) differs from the uploaded disk (" + std::to_string(disk_->size()) + ")");
      }
      return advance(Step::kExtras);
    }
    if (is_transport_failure(outcome)) {
      drop_ftp();
      return retry("download broke after " + std::to_string(downloaded_.size()) + " bytes: " +
                   outcome_summary(outcome));
    }
    violation("download refused: " + outcome_summary(outcome));
  });
}

std::optional<ImageId> AccountActor::others_private_image() {
  for (const auto& [account, ids] : shared_.private_images) {
    if (account != credentials_.account && !ids.empty()) return *ids.begin();
  }
  return std::nullopt;
}

void AccountActor::finish_extra() {
  --extras_left_;
  extra_chosen_ = false;
  scratch_stage_ = 0;
  advance(Step::kExtras);
}

void AccountActor::step_extra() {
  if (extras_left_ <= 0) {
    if (ftp_) ftp_->quit();
    step_ = Step::kDone;
    host_.loop().note(credentials_.account + " finished its journey");
    return;
  }
  if (!extra_chosen_) {
    extra_ = static_cast<Extra>(rng_.uniform(6));
    extra_chosen_ = true;
  }
  const std::optional<ImageId> foreign = others_private_image();
  switch (extra_) {
    case Extra::kCrossShow:
      if (!foreign) return finish_extra();
      return api("GET", "/1.0/images/" + *foreign, nullptr, [this, foreign](const HttpResponse& r, const nlohmann::json&) {
        if (r.status != 404) return violation("another account's private " + *foreign + " answered " + std::to_string(r.status));
        finish_extra();
      });
    case Extra::kCrossRetr:
      if (!foreign) return finish_extra();
      return ftp(FtpDownloadOperation{"/images/" + *foreign, 0}, [this, foreign](const FtpClientOutcome& o) {
        if (is_transport_failure(o)) {
          drop_ftp();
          return retry("cross RETR broke: " + outcome_summary(o));
        }
        if (o.ok || o.reply_code != 550) return violation("RETR of another account's " + *foreign + ": " + outcome_summary(o));
        finish_extra();
      });
    case Extra::kListImagesFolder:
      return ftp(FtpListOperation{"/images", FtpListingKind::kNlst}, [this](const FtpClientOutcome& o) {
        if (is_transport_failure(o)) {
          drop_ftp();
          return retry("NLST broke: " + outcome_summary(o));
        }
        if (!o.ok) return violation("NLST /images refused: " + outcome_summary(o));
        const std::string listing = text_of(o.data);
        if (listing.find(snapshot_) == std::string::npos) return violation("NLST /images lacks " + snapshot_);
        for (const auto& [account, ids] : shared_.private_images) {
          if (account == credentials_.account) continue;
          for (const auto& id : ids) {
            if (listing.find(id) != std::string::npos) return violation("NLST /images shows " + id + " of " + account);
          }
        }
        finish_extra();
      });
    case Extra::kApiList:
      return api("GET", "/1.0/images", nullptr, [this](const HttpResponse& r, const nlohmann::json& j) {
        if (r.status != 200 || !j.is_array()) return violation("GET /1.0/images answered " + std::to_string(r.status));
        for (const auto& image : j) {
          const bool own = image.value("owner", "") == credentials_.account;
          if (!own && !image.value("public", false) && !image.value("official", false)) {
            return violation("lists another account's private image " + image.value("id", ""));
          }
        }
        finish_extra();
      });
    case Extra::kScratch: {
      const std::string path = "/incoming/scratch-" + std::to_string(scratch_count_) + ".tmp";
      if (scratch_stage_ == 0) {
        auto content = std::make_shared<MemoryBlob>();
        (void)content->write_at(0, to_bytes("scratch " + path));
        return ftp(FtpUploadOperation{path, content, FtpUploadMode::kReplace}, [this](const FtpClientOutcome& o) {
          if (is_transport_failure(o)) {
            drop_ftp();
            return retry("scratch upload broke: " + outcome_summary(o));
          }
          if (!o.ok) return violation("scratch upload refused: " + outcome_summary(o));
          scratch_stage_ = 1;
          run_step();
        });
      }
      return ftp(FtpDeleteOperation{path}, [this](const FtpClientOutcome& o) {
        if (is_transport_failure(o)) {
          drop_ftp();
          return retry("DELE broke: " + outcome_summary(o));
        }
        // 550 after a retry: the lost reply's DELE already removed it.
        if (!o.ok && !(o.reply_code == 550 && attempt_ > 0)) return violation("DELE refused: " + outcome_summary(o));
        ++scratch_count_;
        finish_extra();
      });
    }
    case Extra::kNoTlsReuse: {
      if (rogue_) rogue_->abort();
      std::weak_ptr<bool> alive = alive_;
      rogue_ = std::make_shared<FtpClientConnection>(
          host_, FtpClientOptions{.user = credentials_.account, .password = ftp_password_}, false,
          [alive, this](const FtpClientOutcome& o) {
            auto flag = alive.lock();
            if (!flag || !*flag || !rogue_) return;
            if (o.operation == 0 && o.ok) return;
            // One outcome decides; the connection's later ones are not heard.
            std::shared_ptr<FtpClientConnection> rogue = std::move(rogue_);
            rogue->abort();
            if (o.operation == 0) return retry("login without TLS reuse failed: " + outcome_summary(o));
            if (o.reply_code == 522) return finish_extra();
            if (is_transport_failure(o)) return retry("LIST without TLS reuse broke: " + outcome_summary(o));
            violation("a data connection without TLS session reuse got " + outcome_summary(o) + ", not 522");
          });
      rogue_->connect();
      rogue_->start(FtpListOperation{"/incoming", FtpListingKind::kList});
      return;
    }
  }
}

}  // namespace imagelib::sim
