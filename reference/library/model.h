// The records the Library keeps: accounts, API clients, images, servers and
// the files of each account's FTP namespace. Plain values; the rules that
// relate them live in library.h and visibility.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "reference/base/blob.h"
#include "reference/base/ids.h"
#include "reference/base/timestamp.h"

namespace imagelib {

// The system account: the owner of official images, an `acc-` id like any
// other (SPEC §1; fog-brightbox's schema: "Account ID not object"). Reserved,
// so the seeded generator never hands it out; no API client acts for it.
// Only client tables print the word "brightbox" for it.
inline constexpr std::string_view kSystemAccount = "acc-00000";

enum class ImageStatus { kCreating, kAvailable, kDeprecated, kUnavailable, kDeleting, kDeleted, kFailed };
enum class SourceType { kUpload, kSnapshot };
enum class Arch { kI686, kX86_64 };

std::string_view to_string(ImageStatus status);
std::string_view to_string(SourceType type);
std::string_view to_string(Arch arch);
std::optional<ImageStatus> parse_image_status(std::string_view text);
std::optional<Arch> parse_arch(std::string_view text);

struct Account {
  AccountId id;
  std::string name;
  std::optional<std::string> ftp_password;  // none until the first reset
  std::uint64_t quota_bytes = 0;
  Timestamp created_at;  // the Unix epoch when the creator gave no time
};

struct ApiClient {
  ClientId id;
  std::string secret;
  AccountId account;
};

struct Image {
  ImageId id;
  std::string name;
  ImageStatus status = ImageStatus::kCreating;
  bool locked = false;
  std::optional<std::string> username;
  std::string description;
  std::string source;
  SourceType source_type = SourceType::kUpload;
  std::string source_trigger = "manual";
  Arch arch = Arch::kX86_64;
  Timestamp created_at;
  bool official = false;
  bool is_public = false;
  bool compatibility_mode = false;
  std::uint64_t virtual_size = 0;  // bytes of the decoded raw disk; 0 while creating
  std::uint64_t disk_size = 0;     // bytes of non-zero data; 0 while creating
  std::optional<std::uint32_t> min_ram;  // MB
  AccountId owner;                 // kSystemAccount for official images
  std::optional<ImageId> ancestor;
  // Extensions (SPEC §2): what the probe found, the decoded disk's digest,
  // and why registration failed.
  std::string source_format;
  std::string sha256;
  std::string status_reason;
  // The file shown in the owner's images/ and the decoded raw disk (set once
  // available). Both are immutable once the image exists.
  std::shared_ptr<const Blob> file;
  std::shared_ptr<const Blob> disk;
};

struct Server {
  ServerId id;
  AccountId owner;
  std::string name;
  ImageId image;
  std::string server_type;  // a ServerType id
  bool compatibility_mode = false;
  Timestamp created_at;
  std::shared_ptr<const Blob> disk;
};

// A file in an account's incoming/ folder.
struct IncomingFile {
  std::shared_ptr<Blob> content;
  Timestamp modified_at;
};

// Whole megabytes, rounded up: the unit of disk_size and virtual_size in the API.
std::uint64_t to_megabytes(std::uint64_t bytes);

}  // namespace imagelib
