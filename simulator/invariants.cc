#include "simulator/invariants.h"

#include <set>

namespace imagelib::sim {

std::optional<std::string> InvariantChecker::check() {
  ++checks_;
  for (const auto& [id, committed] : committed_) {
    auto image = library_.show_image(committed.owner, id);
    if (!image.ok() || image->status == ImageStatus::kDeleted ||
        image->status == ImageStatus::kDeleting) {
      return "committed image lost: " + id + " of " + committed.owner;
    }
    if (image->sha256 != committed.sha256) {
      return "committed image changed: " + id + " sha256 " + committed.sha256 + " -> " +
             image->sha256;
    }
  }
  for (const auto& account : accounts_) {
    if (auto broken = check_account(account)) return broken;
  }
  return std::nullopt;
}

std::optional<std::string> InvariantChecker::check_account(const AccountId& account) {
  for (const Image& image : library_.list_images(account)) {
    const bool own = image.owner == account;
    const bool shared = image.official || (image.is_public && image.status == ImageStatus::kAvailable);
    if (!own && !shared) {
      return "cross-account access: " + account + " lists " + image.id + " of " + image.owner;
    }
    if (own && (image.status == ImageStatus::kAvailable || image.status == ImageStatus::kDeprecated)) {
      committed_.emplace(image.id, Committed{account, image.sha256});
    }
  }
  auto images = library_.ftp_list(account, FtpPath{FtpFolder::kImages, ""});
  auto incoming = library_.ftp_list(account, FtpPath{FtpFolder::kIncoming, ""});
  if (!images.ok() || !incoming.ok()) return "the FTP namespace of " + account + " cannot be listed";
  std::set<std::string> incoming_names;
  for (const auto& entry : *incoming) incoming_names.insert(entry.name);
  for (const auto& entry : *images) {
    auto image = library_.show_image(account, entry.name);
    if (!image.ok() || image->owner != account) {
      return "cross-account access: images/ of " + account + " holds " + entry.name;
    }
    if (image->source_type == SourceType::kUpload && incoming_names.count(image->source)) {
      return "file both in incoming/ and images/: " + account + " incoming/" + image->source +
             " is images/" + image->id;
    }
  }
  return std::nullopt;
}

}  // namespace imagelib::sim
