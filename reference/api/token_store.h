// TokenStore: the OAuth2 bearer tokens the API has issued, each for one
// account until an expiry time. Tokens are drawn from a SecretGenerator, so
// the same key and the same calls give the same tokens, and no token tells
// anything about another. Used by ApiService only. Not thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "reference/base/ids.h"
#include "reference/base/secret_generator.h"
#include "reference/base/status.h"
#include "reference/base/timestamp.h"
#include "reference/library/mutation.h"

namespace imagelib {

class TokenStore {
 public:
  // `mutation` is the Library's (mutation.h); kNone checks expiry as specified.
  TokenStore(SecretGenerator secrets, Duration lifetime, Mutation mutation = Mutation::kNone)
      : secrets_(std::move(secrets)), lifetime_(lifetime), mutation_(mutation) {}

  struct Issued {
    std::string access_token;
    Timestamp expires_at;
  };
  // A fresh token for `account`, valid from `at` until at + lifetime
  // (exclusive). Tokens expired by `at` are forgotten.
  Issued issue(const AccountId& account, Timestamp at);

  // The account of a token valid at `at`; kUnauthorized for an unknown or
  // expired token.
  Result<AccountId> account_of(std::string_view token, Timestamp at) const;

  Duration lifetime() const { return lifetime_; }

  // The tokens held, for an environment that saves its state; restore()
  // puts them back into a fresh store (whose own stream draws new ones).
  struct Held {
    std::string token;
    AccountId account;
    Timestamp expires_at;
  };
  std::vector<Held> held() const;
  void restore(const std::vector<Held>& tokens);

 private:
  struct Entry {
    AccountId account;
    Timestamp expires_at;
  };
  void forget_expired(Timestamp at);

  SecretGenerator secrets_;
  Duration lifetime_;
  Mutation mutation_;
  std::map<std::string, Entry, std::less<>> tokens_;
};

}  // namespace imagelib
