// Library: the FTP namespace of an account (SPEC §3 "The FTP namespace").
#include <algorithm>

#include "reference/library/library.h"

namespace imagelib {
namespace {

Status cannot_create() { return Status(ErrorCode::kCannotCreate, "Could not create file."); }
Status permission_denied() { return Status(ErrorCode::kPermissionDenied, "Permission denied."); }
Status no_such_file() { return Status(ErrorCode::kNotFound, "No such file or directory."); }

FtpEntry folder_entry(std::string name, Timestamp at) {
  return FtpEntry{std::move(name), true, 0, at};
}

// Whether a file in incoming/ of this name may be written.
Status check_writable(const FtpPath& path, Mutation mutation) {
  // Mutation kImagesWritable: files of images/ may be written (they land in incoming/).
  const bool writable_folder =
      path.folder == FtpFolder::kIncoming ||
      (mutation == Mutation::kImagesWritable && path.folder == FtpFolder::kImages);
  if (!writable_folder || path.is_folder()) return cannot_create();
  if (!is_valid_file_name(path.name)) {
    return Status(ErrorCode::kCannotCreate,
                  "Could not create file: names may hold letters, digits and -_+.~^ only.");
  }
  return {};
}

}  // namespace

std::map<std::string, IncomingFile>& Library::incoming_of(const AccountId& account) {
  return incoming_[account];
}

const IncomingFile* Library::find_incoming(const AccountId& account, const std::string& name) const {
  auto folder = incoming_.find(account);
  if (folder == incoming_.end()) return nullptr;
  auto file = folder->second.find(name);
  return file == folder->second.end() ? nullptr : &file->second;
}

std::uint64_t Library::stored_bytes(const AccountId& account) const {
  std::uint64_t total = 0;
  if (auto folder = incoming_.find(account); folder != incoming_.end()) {
    for (const auto& [name, file] : folder->second) total += file.content->size();
  }
  for (const auto& [id, image] : images_) {
    if (image.owner == account && image.file) total += image.file->size();
  }
  return total;
}

Result<std::vector<FtpEntry>> Library::ftp_list(const AccountId& account, const FtpPath& path) const {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  if (!path.is_folder()) {
    auto entry = ftp_stat(account, path);
    if (!entry.ok()) return entry.status();
    return std::vector<FtpEntry>{*entry};
  }
  std::vector<FtpEntry> entries;
  switch (path.folder) {
    case FtpFolder::kRoot:
      entries.push_back(folder_entry("images", {}));
      entries.push_back(folder_entry("incoming", {}));
      break;
    case FtpFolder::kIncoming:
      if (auto folder = incoming_.find(account); folder != incoming_.end()) {
        for (const auto& [name, file] : folder->second) {
          entries.push_back(FtpEntry{name, false, file.content->size(), file.modified_at});
        }
      }
      break;
    case FtpFolder::kImages:
      for (const auto& [id, image] : images_) {
        if (image.owner == account && image.file) {
          entries.push_back(FtpEntry{id, false, image.file->size(), image.created_at});
        }
      }
      break;
  }
  return entries;
}

Result<FtpEntry> Library::ftp_stat(const AccountId& account, const FtpPath& path) const {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  if (path.folder == FtpFolder::kRoot) {
    if (path.is_folder()) return folder_entry("/", {});
    if (path.name == "incoming" || path.name == "images") return folder_entry(path.name, {});
    return no_such_file();
  }
  if (path.is_folder()) {
    return folder_entry(path.folder == FtpFolder::kIncoming ? "incoming" : "images", {});
  }
  if (path.folder == FtpFolder::kIncoming) {
    const IncomingFile* file = find_incoming(account, path.name);
    if (file == nullptr) return no_such_file();
    return FtpEntry{path.name, false, file->content->size(), file->modified_at};
  }
  auto image = images_.find(path.name);
  if (image == images_.end() || image->second.owner != account || !image->second.file) {
    return no_such_file();
  }
  return FtpEntry{path.name, false, image->second.file->size(), image->second.created_at};
}

Result<Bytes> Library::ftp_read(const AccountId& account, const FtpPath& path, std::uint64_t offset,
                                std::uint64_t max_bytes) const {
  auto entry = ftp_stat(account, path);
  if (!entry.ok()) return entry.status();
  if (entry->is_folder) return Status(ErrorCode::kNotFound, "Failed to open file.");
  const RandomAccessSource& content = path.folder == FtpFolder::kIncoming
                                          ? *find_incoming(account, path.name)->content
                                          : *images_.at(path.name).file;
  if (offset >= content.size()) return Bytes{};
  Bytes bytes(std::min(max_bytes, content.size() - offset));
  IMAGELIB_RETURN_IF_ERROR(content.read_at(offset, bytes));
  return bytes;
}

Result<std::uint64_t> Library::ftp_open_for_write(const AccountId& account, const FtpPath& path,
                                                  WriteMode mode, std::uint64_t offset,
                                                  Timestamp at) {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  IMAGELIB_RETURN_IF_ERROR(check_writable(path, options_.mutation));
  auto& folder = incoming_of(account);
  auto [it, created] = folder.try_emplace(path.name);
  IncomingFile& file = it->second;
  if (created) file.content = new_blob();
  file.modified_at = at;
  switch (mode) {
    case WriteMode::kReplace:
      IMAGELIB_RETURN_IF_ERROR(file.content->resize(0));
      return std::uint64_t{0};
    case WriteMode::kAppend:
      return file.content->size();
    case WriteMode::kResume:
      return offset;
  }
  return Status(ErrorCode::kInternal, "unknown write mode");
}

Status Library::ftp_write(const AccountId& account, const FtpPath& path, std::uint64_t offset,
                          ByteView data, Timestamp at) {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  IMAGELIB_RETURN_IF_ERROR(check_writable(path, options_.mutation));
  auto& folder = incoming_of(account);
  auto it = folder.find(path.name);
  // The file was registered, renamed or deleted while the upload ran.
  if (it == folder.end()) return Status(ErrorCode::kNotFound, "The file being written is gone.");
  IncomingFile& file = it->second;
  const std::uint64_t new_size = std::max(file.content->size(), offset + data.size());
  const std::uint64_t growth = new_size - file.content->size();
  if (stored_bytes(account) + growth > accounts_.at(account).quota_bytes) {
    return Status(ErrorCode::kQuotaExceeded, "Storage quota exceeded.");
  }
  IMAGELIB_RETURN_IF_ERROR(file.content->write_at(offset, data));
  file.modified_at = at;
  return {};
}

Status Library::ftp_finish_write(const AccountId& account, const FtpPath& path) {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  const IncomingFile* file = find_incoming(account, path.name);
  return file == nullptr ? Status() : file->content->sync();
}

Status Library::ftp_delete(const AccountId& account, const FtpPath& path) {
  auto entry = ftp_stat(account, path);
  if (!entry.ok()) return entry.status();
  if (path.folder != FtpFolder::kIncoming || entry->is_folder) return permission_denied();
  incoming_of(account).erase(path.name);
  return {};
}

Status Library::ftp_rename(const AccountId& account, const FtpPath& from, const FtpPath& to) {
  auto entry = ftp_stat(account, from);
  if (!entry.ok()) return entry.status();
  if (from.folder != FtpFolder::kIncoming || entry->is_folder) return permission_denied();
  if (to.folder != FtpFolder::kIncoming || to.is_folder() || !is_valid_file_name(to.name)) {
    return permission_denied();
  }
  auto& folder = incoming_of(account);
  IncomingFile file = folder.at(from.name);
  folder.erase(from.name);
  folder[to.name] = std::move(file);
  return {};
}

Status Library::ftp_make_folder(const AccountId& account, const FtpPath& /*path*/) {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  return Status(ErrorCode::kPermissionDenied, "Create directory operation failed.");
}

Status Library::ftp_remove_folder(const AccountId& account, const FtpPath& /*path*/) {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  return Status(ErrorCode::kPermissionDenied, "Remove directory operation failed.");
}

}  // namespace imagelib
