// Target: what a conformance run talks to. One interface for the reference
// in process (direct), the reference over the simulated network (sim), and
// any deployment over FTPS and HTTPS (remote). Actors are the two accounts
// every target provides, "main" and "alt".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "conformance/fault_injection.h"
#include "reference/base/bytes.h"
#include "reference/base/status.h"
#include "reference/base/timestamp.h"

namespace imagelib::conformance {

enum class ApiAuth { kToken, kNone, kBadToken, kExpiredToken };

struct ApiCall {
  std::string method;
  std::string path;  // with query
  std::string body;  // JSON text, or empty
  std::map<std::string, std::string> headers;
  ApiAuth auth = ApiAuth::kToken;
};

struct ApiReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

enum class FtpOp { kLogin, kList, kPut, kGet, kDelete, kRename, kSize, kCommand, kQuit };

struct FtpCall {
  FtpOp op = FtpOp::kLogin;
  std::string path;
  std::string to;        // rename target
  std::string line;      // raw command
  std::string user;      // login
  std::string password;  // login
  bool tls = true;       // login: false sends USER in plain text
  Bytes content;         // put
  std::uint64_t offset = 0;                  // get: REST offset
  enum class PutMode { kStore, kAppend, kResume } mode = PutMode::kStore;
};

struct FtpReply {
  int code = 0;          // the deciding reply; 0 when the connection broke first
  std::string text;
  Bytes data;            // listing or downloaded bytes
  std::uint64_t size = 0;
};

struct OfficialImageCall {
  std::string name;
  std::string arch = "x86_64";
  std::optional<std::uint32_t> min_ram;
  bool compatibility_mode = false;
  Bytes content;
};

class Target {
 public:
  virtual ~Target() = default;

  // "direct", "sim:3:flaky", "remote:deploy.json" ...
  virtual std::string name() const = 0;
  // Optional features the target offers (see the scenario schema's "feature").
  virtual std::set<std::string> features() const = 0;
  // The account id behind an actor role ("main" or "alt").
  virtual std::string account_id(const std::string& role) const = 0;

  // A transport failure is a non-ok Result; every HTTP answer is a reply.
  virtual Result<ApiReply> api(const std::string& role, const ApiCall& call) = 0;
  virtual Result<FtpReply> ftp(const std::string& role, const FtpCall& call) = 0;
  // Only targets with the "official_images" feature.
  virtual Result<std::string> add_official_image(const OfficialImageCall& call) = 0;
  // Lets time pass: virtual targets jump, real ones wait.
  virtual void advance(Duration duration) = 0;
  // How long a wait step lets pass between two polls of an image.
  virtual Duration poll_interval() const { return std::chrono::seconds(1); }
  // The target's clock as its records show it (virtual on simulated
  // targets), for the check that what a step makes is stamped within the
  // run; nullopt when the harness cannot read it.
  virtual std::optional<Timestamp> now() const { return std::nullopt; }
  // The run's accounts hold nothing but what the run makes: a listing must
  // then hold exactly what the reference's does (see ComparisonRules).
  virtual bool dedicated_accounts() const { return true; }
  // Fields the target's answers may carry beyond SPEC's.
  virtual std::set<std::string> extra_fields() const { return {}; }
  // Only targets with the "fault_injection" feature (simulated ones) have
  // one; the scenario's fault steps go there.
  virtual FaultInjection* fault_injection() { return nullptr; }
};

}  // namespace imagelib::conformance
