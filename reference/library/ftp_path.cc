#include "reference/library/ftp_path.h"

#include <vector>

namespace imagelib {
namespace {

constexpr std::size_t kMaxPathLength = 4096;
constexpr std::size_t kMaxNameLength = 255;

std::string_view folder_name(FtpFolder folder) {
  switch (folder) {
    case FtpFolder::kIncoming: return "incoming";
    case FtpFolder::kImages: return "images";
    case FtpFolder::kRoot: break;
  }
  return "";
}

void push_segments(std::string_view path, std::vector<std::string_view>& segments) {
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
}

}  // namespace

std::string FtpPath::to_string() const {
  std::string path = "/";
  path += folder_name(folder);
  if (!name.empty()) {
    if (folder != FtpFolder::kRoot) path += '/';
    path += name;
  }
  return path;
}

Result<FtpPath> resolve_ftp_path(std::string_view cwd, std::string_view argument) {
  if (argument.size() > kMaxPathLength || cwd.size() > kMaxPathLength) {
    return Status(ErrorCode::kBadRequest, "path too long");
  }
  if (argument.find('\0') != std::string_view::npos) {
    return Status(ErrorCode::kBadRequest, "path contains a NUL byte");
  }
  std::vector<std::string_view> segments;
  if (argument.empty() || argument.front() != '/') push_segments(cwd, segments);
  push_segments(argument, segments);

  if (segments.empty()) return FtpPath{};
  FtpFolder folder = FtpFolder::kRoot;
  if (segments[0] == "incoming") folder = FtpFolder::kIncoming;
  if (segments[0] == "images") folder = FtpFolder::kImages;
  if (folder == FtpFolder::kRoot) {
    if (segments.size() > 1) return Status(ErrorCode::kNotFound, "No such file or directory.");
    return FtpPath{FtpFolder::kRoot, std::string(segments[0])};
  }
  if (segments.size() == 1) return FtpPath{folder, ""};
  if (segments.size() > 2) return Status(ErrorCode::kNotFound, "No such file or directory.");
  return FtpPath{folder, std::string(segments[1])};
}

bool is_valid_file_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '+' || c == '.' || c == '~' || c == '^';
    if (!ok) return false;
  }
  return true;
}

}  // namespace imagelib
