// DirectTarget: the reference library in this process, through the same API
// and FTP cores every other environment uses, with virtual time that moves
// only when a scenario waits. Accounts "main" and "alt" and their API
// clients are made at construction. A mutation (reference/library/mutation.h)
// makes it a broken reference, for the harness's mutation test; its name is
// then "direct+mutant:NAME". Not thread-safe.
#pragma once

#include <map>
#include <memory>

#include "conformance/in_process_ftp.h"
#include "conformance/target.h"
#include "reference/api/api_service.h"
#include "reference/library/library.h"

namespace imagelib::conformance {

class DirectTarget final : public Target {
 public:
  explicit DirectTarget(std::uint64_t seed = 1, Mutation mutation = Mutation::kNone);

  std::string name() const override;
  std::set<std::string> features() const override;
  std::string account_id(const std::string& role) const override;
  Result<ApiReply> api(const std::string& role, const ApiCall& call) override;
  Result<FtpReply> ftp(const std::string& role, const FtpCall& call) override;
  Result<std::string> add_official_image(const OfficialImageCall& call) override;
  void advance(Duration duration) override;

  Library& library() { return library_; }
  std::optional<Timestamp> now() const override { return now_; }

 private:
  struct Actor {
    AccountId account;
    ClientId client;
    std::string secret;
    std::string token;
    Timestamp token_issued;
    std::unique_ptr<InProcessFtp> ftp;
  };
  Result<Actor*> actor(const std::string& role);
  Result<std::string> token_for(Actor& actor);

  Library library_;
  ApiService api_;
  Timestamp now_;
  std::map<std::string, Actor> actors_;
};

}  // namespace imagelib::conformance
