// imagelib accounts reset_ftp_password ACC: a new FTP password for the
// account's image library login, printed as brightbox-cli printed it (the
// account's fields, the only time the password is shown), or the API's JSON.
#include <iostream>
#include <memory>

#include "tools/client_target.h"
#include "tools/command.h"
#include "tools/image_table.h"

namespace imagelib::cli {
namespace {

using nlohmann::json;

struct ResetArgs {
  TargetOptions target;
  std::string account;
};

Status run_reset(const ResetArgs& args) {
  if (Status valid = check_id(args.account, "acc", "an account"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto account = (*api)->call("POST", "/1.0/accounts/" + args.account + "/reset_ftp_password", nullptr, 200);
  if (!account.ok()) return Status(account.status().code(), args.account + ": " + account.status().message());
  say(args.target, "Reset ftp password for " + args.account);
  if (args.target.output == "json") {
    std::cout << account->dump(2) << "\n";
    return {};
  }
  std::vector<std::pair<std::string, std::string>> fields;
  for (const char* name : {"id", "name", "library_ftp_host", "library_ftp_user", "library_ftp_password"}) {
    fields.emplace_back(name, json_text(account->value(name, json())));
  }
  std::cout << render_fields(fields);
  return {};
}

}  // namespace

void add_accounts_command(CLI::App& app, int& exit_code) {
  CLI::App* accounts = app.add_subcommand("accounts", "Manage accounts' image library access");
  accounts->require_subcommand(1);
  auto reset = std::make_shared<ResetArgs>();
  CLI::App* reset_command =
      accounts->add_subcommand("reset_ftp_password", "Reset the image library FTP password of an account");
  add_target_options(*reset_command, reset->target, TargetUse::kApi);
  reset_command->add_option("account", reset->account, "Account id (acc-xxxxx)")->required();
  reset_command->callback([reset, &exit_code] { exit_code = exit_status(run_reset(*reset)); });
}

}  // namespace imagelib::cli
