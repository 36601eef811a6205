// FtpServerSession: the commands on the account's FTP namespace that need no
// data connection (CWD, SIZE, MDTM, DELE, RNFR/RNTO, MKD, RMD, REST, MLST,
// STAT of a path), answered with vsftpd's texts and the error table's codes.
#include <limits>

#include "reference/ftp/ftp_reply.h"
#include "reference/ftp/ftp_server_state.h"

namespace imagelib {

using State = FtpServerSession::State;

Result<FtpPath> State::resolve(std::string_view argument) const {
  return resolve_ftp_path(cwd, argument);
}

void State::run_cwd(const std::string& argument) {
  auto path = resolve(argument);
  if (!path.ok() || !path->is_folder()) {
    reply(550, "Failed to change directory.");
    return;
  }
  cwd = path->to_string();
  reply(250, "Directory successfully changed.");
}

void State::run_size(const std::string& argument) {
  auto path = resolve(argument);
  auto entry = path.ok() ? library.ftp_stat(*account, *path) : Result<FtpEntry>(path.status());
  if (!entry.ok() || entry->is_folder) {
    reply(550, "Could not get file size.");
    return;
  }
  reply(213, std::to_string(entry->size));
}

void State::run_mdtm(const std::string& argument) {
  auto path = resolve(argument);
  auto entry = path.ok() ? library.ftp_stat(*account, *path) : Result<FtpEntry>(path.status());
  if (!entry.ok() || entry->is_folder) {
    reply(550, "Could not get file modification time.");
    return;
  }
  reply(213, format_ftp_time(entry->modified_at));
}

void State::run_dele(const std::string& argument) {
  auto path = resolve(argument);
  const Status status = path.ok() ? library.ftp_delete(*account, *path) : path.status();
  if (!status.ok()) {
    reply_status(status, "Delete operation failed.");
    return;
  }
  reply(250, "Delete operation successful.");
}

void State::run_rnfr(const std::string& argument) {
  auto path = resolve(argument);
  auto entry = path.ok() ? library.ftp_stat(*account, *path) : Result<FtpEntry>(path.status());
  if (!entry.ok()) {
    reply_status(entry.status(), "RNFR command failed.");
    return;
  }
  // SPEC §3: only files of incoming/ may be renamed; images/ answers 550 at once.
  if (path->folder != FtpFolder::kIncoming || entry->is_folder) {
    reply(550, "Permission denied.");
    return;
  }
  rename_from = *path;
  reply(350, "Ready for RNTO.");
}

void State::run_rnto(const std::string& argument) {
  if (!rename_from) {
    reply(503, "RNFR required first.");
    return;
  }
  const FtpPath from = *std::exchange(rename_from, std::nullopt);
  auto to = resolve(argument);
  const Status status = to.ok() ? library.ftp_rename(*account, from, *to) : to.status();
  if (!status.ok()) {
    reply_status(status, "Rename failed.");
    return;
  }
  reply(250, "Rename successful.");
}

void State::run_mkd(const std::string& argument) {
  auto path = resolve(argument);
  const Status status = path.ok() ? library.ftp_make_folder(*account, *path) : path.status();
  if (!status.ok()) {
    reply_status(status, "Create directory operation failed.");
    return;
  }
  reply(257, "\"" + path->to_string() + "\" created");
}

void State::run_rmd(const std::string& argument) {
  auto path = resolve(argument);
  const Status status = path.ok() ? library.ftp_remove_folder(*account, *path) : path.status();
  if (!status.ok()) {
    reply_status(status, "Remove directory operation failed.");
    return;
  }
  reply(250, "Remove directory operation successful.");
}

void State::run_rest(const std::string& argument) {
  std::uint64_t offset = 0;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  for (const char c : argument) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (c < '0' || c > '9' || offset > (kMax - digit) / 10) {
      reply(501, "REST requires a non-negative number.");
      return;
    }
    offset = offset * 10 + digit;
  }
  restart_offset = offset;
  reply(350, "Restart position accepted (" + std::to_string(offset) + ").");
}

void State::run_mlst(const std::string& argument) {
  auto path = resolve(argument);
  auto entry = path.ok() ? library.ftp_stat(*account, *path) : Result<FtpEntry>(path.status());
  if (!entry.ok()) {
    reply_status(entry.status());
    return;
  }
  const std::string name = path->to_string();
  emit(FtpSendReply{format_multiline_reply(
      250, "Listing " + name, {" " + format_mlst_facts(*entry, *path, mlst_facts) + name}, "End")});
}

std::vector<std::string> State::list_lines(const std::string& argument) const {
  auto path = resolve(strip_ls_options(argument));
  if (!path.ok()) return {};
  auto entries = library.ftp_list(*account, *path);
  if (!entries.ok()) return {};
  std::vector<std::string> lines;
  for (const FtpEntry& entry : *entries) {
    lines.push_back(format_list_line(entry, path->folder, *account, now));
  }
  return lines;
}

}  // namespace imagelib
