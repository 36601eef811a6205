// FtpPath: where a path in an account's FTP namespace points. The namespace
// has two levels only: "/" with the folders incoming/ and images/, and the
// files inside those folders. Resolution is confined: ".." at "/" stays at
// "/", absolute paths start at the account's "/", and nothing can name a
// place outside it.
#pragma once

#include <string>
#include <string_view>

#include "reference/base/status.h"

namespace imagelib {

enum class FtpFolder { kRoot, kIncoming, kImages };

struct FtpPath {
  FtpFolder folder = FtpFolder::kRoot;
  std::string name;  // a file in `folder`; empty for the folder itself

  bool is_folder() const { return name.empty(); }
  // "/", "/incoming", "/images/img-abcde", ...
  std::string to_string() const;
  friend bool operator==(const FtpPath&, const FtpPath&) = default;
};

// Resolves `argument` (absolute, or relative to `cwd`, itself a path that
// resolve_ftp_path produced). kNotFound for a path below a file or below a
// folder that does not exist; kBadRequest for a NUL or an over-long path.
Result<FtpPath> resolve_ftp_path(std::string_view cwd, std::string_view argument);

// Letters, digits and "-_+.~^" only, at most 255 characters, not "." or "..".
bool is_valid_file_name(std::string_view name);

}  // namespace imagelib
