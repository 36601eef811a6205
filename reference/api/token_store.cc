#include "reference/api/token_store.h"

#include <limits>
#include <string>

namespace imagelib {
namespace {

constexpr std::string_view kTokenAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::size_t kTokenLength = 40;  // ~206 bits
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

}  // namespace

TokenStore::Issued TokenStore::issue(const AccountId& account, Timestamp at) {
  forget_expired(at);
  std::string token;
  do {
    token = secrets_.draw(kTokenAlphabet, kTokenLength);
  } while (tokens_.count(token) != 0);
  const Timestamp expires_at = at + lifetime_;
  // Mutation kExpiredTokenAccepted: the token is kept as if it never expired.
  const bool expires = mutation_ != Mutation::kExpiredTokenAccepted;
  tokens_[token] = Entry{account, expires ? expires_at : Timestamp::from_micros(kNever)};
  return Issued{token, expires_at};
}

Result<AccountId> TokenStore::account_of(std::string_view token, Timestamp at) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return Status(ErrorCode::kUnauthorized, "unknown access token");
  if (at >= it->second.expires_at) {
    return Status(ErrorCode::kUnauthorized, "access token expired at " + it->second.expires_at.iso8601());
  }
  return it->second.account;
}

std::vector<TokenStore::Held> TokenStore::held() const {
  std::vector<Held> held;
  for (const auto& [token, entry] : tokens_) held.push_back(Held{token, entry.account, entry.expires_at});
  return held;
}

void TokenStore::restore(const std::vector<Held>& tokens) {
  for (const Held& held : tokens) tokens_[held.token] = Entry{held.account, held.expires_at};
}

void TokenStore::forget_expired(Timestamp at) {
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = at >= it->second.expires_at ? tokens_.erase(it) : std::next(it);
  }
}

}  // namespace imagelib
