// InvariantChecker: the safety properties of a simulation run, checked on
// the Library after every event (it reads the committed state directly, not
// through the network):
//   - no committed image lost: an image once seen available (or deprecated)
//     stays visible to its owner, not deleted, with the same sha256;
//   - no cross-account access: an account lists only its own images,
//     official ones and others' public available ones, and its images/
//     folder holds only images it owns;
//   - no file both in incoming/ and images/: a registered upload's source
//     file is no longer in its owner's incoming/ (the workload never uploads
//     a registered name again, so a file there would be a zombie write of a
//     session that outlived its registration, or a move that copied).
// Not thread-safe; called by the simulation between events.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reference/library/library.h"

namespace imagelib::sim {

class InvariantChecker {
 public:
  InvariantChecker(const Library& library, std::vector<AccountId> accounts)
      : library_(library), accounts_(std::move(accounts)) {}

  // The first broken invariant, described; nullopt when all hold.
  std::optional<std::string> check();
  std::uint64_t checks() const { return checks_; }
  std::size_t committed_images() const { return committed_.size(); }

 private:
  struct Committed {
    AccountId owner;
    std::string sha256;
  };
  std::optional<std::string> check_account(const AccountId& account);

  const Library& library_;
  std::vector<AccountId> accounts_;
  std::map<ImageId, Committed> committed_;
  std::uint64_t checks_ = 0;
};

}  // namespace imagelib::sim
