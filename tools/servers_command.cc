// imagelib servers list|show|create|destroy|snapshot: servers as
// brightbox-cli's `servers` commands drive them (their tables, and their info
// lines printed once the action succeeded), or the API's JSON with --output
// json. A snapshot also shows the new image, found from the reply's Link
// header.
#include <iostream>
#include <memory>
#include <regex>

#include "tools/client_target.h"
#include "tools/command.h"
#include "tools/image_table.h"
#include "tools/server_table.h"

namespace imagelib::cli {
namespace {

using nlohmann::json;

void print_servers(const TargetOptions& target, const std::vector<json>& servers, const json& raw) {
  std::cout << (target.output == "json" ? raw.dump(2) + "\n" : render_server_table(servers));
}

Status run_list(const IdsArgs& args) {
  if (Status valid = check_ids(args.ids, "srv", "a server"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto servers = find_all_or_warn(**api, "/1.0/servers", args.ids, "Could not find anything with ID");
  if (!servers.ok()) return servers.status();
  print_servers(args.target, *servers, json(*servers));
  return {};
}

Status run_show(const IdsArgs& args) {
  if (Status valid = check_ids(args.ids, "srv", "a server"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  std::vector<json> servers;
  for (const auto& id : args.ids) {
    auto server = (*api)->call("GET", "/1.0/servers/" + id, nullptr, 200);
    if (!server.ok()) return Status(server.status().code(), id + ": " + server.status().message());
    servers.push_back(*server);
  }
  if (args.target.output == "json") {
    std::cout << (servers.size() == 1 ? servers.front() : json(servers)).dump(2) << "\n";
    return {};
  }
  for (std::size_t i = 0; i < servers.size(); ++i) {
    std::cout << (i > 0 ? "\n" : "") << render_server_fields(servers[i]);
  }
  return {};
}

Status run_destroy(const IdsArgs& args) {
  if (Status valid = check_ids(args.ids, "srv", "a server"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  for (const auto& id : args.ids) {
    auto done = (*api)->call("DELETE", "/1.0/servers/" + id, nullptr, 202);
    if (!done.ok()) return Status(done.status().code(), id + ": " + done.status().message());
    say(args.target, "Destroying server " + id);
  }
  return {};
}

struct CreateArgs {
  TargetOptions target;
  std::string image;
  std::string name;
  std::string type;
};

Status run_create(const CreateArgs& args) {
  if (Status valid = check_id(args.image, "img", "an image"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto image = (*api)->call("GET", "/1.0/images/" + args.image, nullptr, 200);
  if (!image.ok()) return Status(image.status().code(), args.image + ": " + image.status().message());
  json body = {{"image", args.image}};
  if (!args.name.empty()) body["name"] = args.name;
  if (!args.type.empty()) body["server_type"] = args.type;
  auto server = (*api)->call("POST", "/1.0/servers", body, 202);
  if (!server.ok()) return server.status();
  say(args.target, "Created a " + (args.type.empty() ? std::string("server") : args.type + " server") +
                       " with image " + json_text(image->value("name", json())) + " (" + args.image + ")");
  print_servers(args.target, {*server}, *server);
  return {};
}

struct SnapshotArgs {
  TargetOptions target;
  std::string server;
};

Status run_snapshot(const SnapshotArgs& args) {
  if (Status valid = check_id(args.server, "srv", "a server"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto reply = (*api)->call_reply("POST", "/1.0/servers/" + args.server + "/snapshot", nullptr, 202);
  if (!reply.ok()) return Status(reply.status().code(), args.server + ": " + reply.status().message());
  say(args.target, "Snapshotted server " + args.server);
  static const std::regex kSnapshotLink(R"(/images/(img-[0-9a-z]+)>\s*;\s*rel="?snapshot)");
  std::smatch match;
  const std::string link = reply->headers.count("link") ? reply->headers.at("link") : "";
  if (!std::regex_search(link, match, kSnapshotLink)) {
    return Status(ErrorCode::kInternal, "the snapshot reply has no Link header naming the new image");
  }
  auto image = (*api)->call("GET", "/1.0/images/" + match[1].str(), nullptr, 200);
  if (!image.ok()) return image.status();
  std::cout << (args.target.output == "json" ? image->dump(2) + "\n" : render_image_table({*image}));
  return {};
}

}  // namespace

void add_servers_command(CLI::App& app, int& exit_code) {
  CLI::App* servers = app.add_subcommand("servers", "List, build, destroy and snapshot servers");
  servers->require_subcommand(1);

  auto list = std::make_shared<IdsArgs>();
  CLI::App* list_command = servers->add_subcommand("list", "List servers (all, or those named)");
  add_target_options(*list_command, list->target, TargetUse::kApi);
  list_command->add_option("ids", list->ids, "Server ids (srv-xxxxx)");
  list_command->callback([list, &exit_code] { exit_code = exit_status(run_list(*list)); });

  auto show = std::make_shared<IdsArgs>();
  CLI::App* show_command = servers->add_subcommand("show", "Show detailed server info");
  add_target_options(*show_command, show->target, TargetUse::kApi);
  show_command->add_option("ids", show->ids, "Server ids (srv-xxxxx)")->required();
  show_command->callback([show, &exit_code] { exit_code = exit_status(run_show(*show)); });

  auto destroy = std::make_shared<IdsArgs>();
  CLI::App* destroy_command = servers->add_subcommand("destroy", "Destroy servers");
  add_target_options(*destroy_command, destroy->target, TargetUse::kApi);
  destroy_command->add_option("ids", destroy->ids, "Server ids (srv-xxxxx)")->required();
  destroy_command->callback([destroy, &exit_code] { exit_code = exit_status(run_destroy(*destroy)); });

  auto create = std::make_shared<CreateArgs>();
  CLI::App* create_command = servers->add_subcommand("create", "Create a server from an image");
  add_target_options(*create_command, create->target, TargetUse::kApi);
  create_command->add_option("image", create->image, "Image id (img-xxxxx)")->required();
  create_command->add_option("-n,--name", create->name, "Name of the server");
  create_command->add_option("-t,--type", create->type, "Server type (e.g. 2gb.ssd or typ-02048)");
  create_command->callback([create, &exit_code] { exit_code = exit_status(run_create(*create)); });

  auto snapshot = std::make_shared<SnapshotArgs>();
  CLI::App* snapshot_command = servers->add_subcommand("snapshot", "Snapshot a server into a new image");
  add_target_options(*snapshot_command, snapshot->target, TargetUse::kApi);
  snapshot_command->add_option("server", snapshot->server, "Server id (srv-xxxxx)")->required();
  snapshot_command->callback([snapshot, &exit_code] { exit_code = exit_status(run_snapshot(*snapshot)); });
}

}  // namespace imagelib::cli
