// imagelib ftp ls|put|get|rm|mv: the account's image library files over
// explicit FTPS (the library's incoming/ and images/), with resume
// (put --continue sends REST and the rest of the file; get --continue asks
// for the bytes after what the local file holds) and a progress bar on
// standard error when it is a terminal.
#include <fstream>
#include <iostream>
#include <memory>

#include "net/ftps_client.h"
#include "tools/client_target.h"
#include "tools/command.h"
#include "tools/file_blob.h"
#include "tools/progress.h"

namespace imagelib::cli {
namespace {

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// Logs in, runs `operation` and quits; the operation's outcome, or the
// error line when the login or the operation failed.
Result<FtpClientOutcome> run_one(const TargetOptions& options, FtpClientOperation operation,
                                 net::FtpsClient::DataReadObserver on_data_read = {}) {
  auto target = open_ftp_target(options);
  if (!target.ok()) return target.status();
  auto outcomes = net::run_ftps_operations(target->endpoint, *target->tls, target->login,
                                           {std::move(operation)}, std::move(on_data_read));
  if (!outcomes.ok() || outcomes->empty() || (outcomes->front().reply_code == 0 && !outcomes->front().ok)) {
    return Status(ErrorCode::kInternal, "cannot reach the FTPS server at " + options.ftp);
  }
  const FtpClientOutcome& login = outcomes->front();
  if (!login.ok) return Status(ErrorCode::kLoginIncorrect, "FTP login failed: " + one_line(login.reply_text));
  if (outcomes->size() < 2) return Status(ErrorCode::kInternal, "the FTPS connection closed early");
  FtpClientOutcome& outcome = (*outcomes)[1];
  if (!outcome.ok) {
    return Status(ErrorCode::kBadRequest, outcome.reply_code == 0 ? "the FTPS connection broke: " + one_line(outcome.reply_text)
                                                                : one_line(outcome.reply_text));
  }
  return std::move(outcome);
}

struct FtpArgs {
  TargetOptions target;
  std::string from;
  std::string to;
  bool resume = false;
};

Status run_ls(const FtpArgs& args) {
  auto listing = run_one(args.target, FtpListOperation{args.from, FtpListingKind::kList});
  if (!listing.ok()) return listing.status();
  std::cout.write(reinterpret_cast<const char*>(listing->data.data()),
                  static_cast<std::streamsize>(listing->data.size()));
  return {};
}

Status run_put(const FtpArgs& args) {
  auto file = FileSource::open(args.from);
  if (!file.ok()) return file.status();
  std::string remote = args.to.empty() ? "/incoming/" : args.to;
  if (remote.back() == '/') remote += base_name(args.from);
  ProgressBar bar("put " + base_name(remote), file->size(), progress_wanted(args.target.quiet));
  auto source = std::make_shared<ProgressSource>(std::make_shared<FileSource>(std::move(*file)), bar);
  auto sent = run_one(args.target,
                      FtpUploadOperation{remote, source,
                                         args.resume ? FtpUploadMode::kResumeWithRest : FtpUploadMode::kReplace});
  if (!sent.ok()) return sent.status();
  bar.update(source->size());
  bar.finish();
  if (args.resume) say(args.target, "Resumed " + remote + " at byte " + std::to_string(sent->size));
  return {};
}

Status run_get(const FtpArgs& args) {
  const std::string local = args.to.empty() ? base_name(args.from) : args.to;
  if (local.empty()) return Status(ErrorCode::kBadRequest, "no local file name for " + args.from);
  std::uint64_t offset = 0;
  if (args.resume) {
    std::ifstream existing(local, std::ios::binary | std::ios::ate);
    if (existing) offset = static_cast<std::uint64_t>(existing.tellg());
  }
  const bool show = progress_wanted(args.target.quiet);
  std::uint64_t total = 0;
  if (show) {
    auto size = run_one(args.target, FtpSizeOperation{args.from});
    if (!size.ok()) return size.status();
    total = size->size;
  }
  ProgressBar bar("get " + base_name(args.from), total, show);
  std::uint64_t received = offset;
  auto got = run_one(args.target, FtpDownloadOperation{args.from, offset}, [&](std::size_t bytes) {
    received += bytes;
    bar.update(received);
  });
  if (!got.ok()) return got.status();
  std::ofstream out(local, std::ios::binary | (offset > 0 ? std::ios::app : std::ios::trunc));
  out.write(reinterpret_cast<const char*>(got->data.data()), static_cast<std::streamsize>(got->data.size()));
  out.close();
  if (!out) return Status(ErrorCode::kInternal, "cannot write " + local);
  bar.finish();
  if (offset > 0) say(args.target, "Resumed " + local + " at byte " + std::to_string(offset));
  return {};
}

Status run_rm(const FtpArgs& args) {
  auto removed = run_one(args.target, FtpDeleteOperation{args.from});
  return removed.ok() ? Status() : removed.status();
}

Status run_mv(const FtpArgs& args) {
  auto moved = run_one(args.target, FtpRenameOperation{args.from, args.to});
  return moved.ok() ? Status() : moved.status();
}

CLI::App* leaf(CLI::App& ftp, int& exit_code, const std::string& name, const std::string& help,
               Status (*run)(const FtpArgs&), std::shared_ptr<FtpArgs> args) {
  CLI::App* command = ftp.add_subcommand(name, help);
  add_target_options(*command, args->target, TargetUse::kFtp);
  command->callback([args, run, &exit_code] { exit_code = exit_status(run(*args)); });
  return command;
}

}  // namespace

void add_ftp_command(CLI::App& app, int& exit_code) {
  CLI::App* ftp = app.add_subcommand("ftp", "The account's image library files over FTPS (incoming/, images/)");
  ftp->require_subcommand(1);

  auto ls = std::make_shared<FtpArgs>();
  leaf(*ftp, exit_code, "ls", "List a directory (default: the top, holding incoming/ and images/)", run_ls, ls)
      ->add_option("path", ls->from, "Directory, e.g. incoming or images");

  auto put = std::make_shared<FtpArgs>();
  CLI::App* put_command = leaf(*ftp, exit_code, "put", "Upload a file (default: into incoming/)", run_put, put);
  put_command->add_option("file", put->from, "Local file")->required();
  put_command->add_option("remote", put->to, "Remote path (default: /incoming/FILE; a trailing / adds FILE)");
  put_command->add_flag("-c,--continue", put->resume, "Resume a partial upload (REST from the remote size)");

  auto get = std::make_shared<FtpArgs>();
  CLI::App* get_command = leaf(*ftp, exit_code, "get", "Download a file, e.g. images/img-xxxxx", run_get, get);
  get_command->add_option("remote", get->from, "Remote path")->required();
  get_command->add_option("file", get->to, "Local file (default: the remote file's name)");
  get_command->add_flag("-c,--continue", get->resume, "Resume a partial download (REST from the local size)");

  auto rm = std::make_shared<FtpArgs>();
  leaf(*ftp, exit_code, "rm", "Delete a file in incoming/", run_rm, rm)
      ->add_option("path", rm->from, "Remote path")->required();

  auto mv = std::make_shared<FtpArgs>();
  CLI::App* mv_command = leaf(*ftp, exit_code, "mv", "Rename a file in incoming/", run_mv, mv);
  mv_command->add_option("from", mv->from, "Remote path")->required();
  mv_command->add_option("to", mv->to, "New remote path")->required();
}

}  // namespace imagelib::cli
