// imagelib types list|show (also `imagelib server_types`): the server types a
// server can be built with, as brightbox-cli's `types` commands print them
// (smallest RAM first), or the API's JSON with --output json.
#include <iostream>
#include <memory>

#include "tools/client_target.h"
#include "tools/command.h"
#include "tools/server_table.h"

namespace imagelib::cli {
namespace {

using nlohmann::json;

Status run_list(const IdsArgs& args) {
  if (Status valid = check_ids(args.ids, "typ", "a server type"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto types = find_all_or_warn(**api, "/1.0/server_types", args.ids, "Couldn't find type");
  if (!types.ok()) return types.status();
  std::cout << (args.target.output == "json" ? json(*types).dump(2) + "\n"
                                             : render_server_type_table(*types));
  return {};
}

Status run_show(const IdsArgs& args) {
  if (Status valid = check_ids(args.ids, "typ", "a server type"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto types = find_all_or_warn(**api, "/1.0/server_types", args.ids, "Couldn't find type");
  if (!types.ok()) return types.status();
  if (args.target.output == "json") {
    std::cout << (types->size() == 1 ? types->front() : json(*types)).dump(2) << "\n";
    return {};
  }
  for (std::size_t i = 0; i < types->size(); ++i) {
    std::cout << (i > 0 ? "\n" : "") << render_server_type_fields((*types)[i]);
  }
  return {};
}

void add_ids_command(CLI::App& types, int& exit_code, const char* name, const char* help,
                     Status (*run)(const IdsArgs&), bool ids_required) {
  auto args = std::make_shared<IdsArgs>();
  CLI::App* command = types.add_subcommand(name, help);
  add_target_options(*command, args->target, TargetUse::kApi);
  CLI::Option* ids = command->add_option("ids", args->ids, "Server type ids (typ-xxxxx)");
  if (ids_required) ids->required();
  command->callback([args, run, &exit_code] { exit_code = exit_status(run(*args)); });
}

}  // namespace

void add_types_command(CLI::App& app, int& exit_code) {
  CLI::App* types = app.add_subcommand("types", "List the server types servers can be built with");
  types->alias("server_types");
  types->require_subcommand(1);
  add_ids_command(*types, exit_code, "list", "List server types (all, or those named)", run_list,
                  false);
  add_ids_command(*types, exit_code, "show", "Show detailed server type info", run_show, true);
}

}  // namespace imagelib::cli
