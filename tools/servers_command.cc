// imagelib servers create|snapshot: build a server from an image and
// snapshot one, as brightbox-cli's `servers` commands do (their info lines,
// printed once the action succeeded), with a server table (or --output json). A snapshot also shows the
// new image, found from the reply's Link header.
#include <iostream>
#include <memory>
#include <regex>

#include "tools/client_target.h"
#include "tools/command.h"
#include "tools/image_table.h"

namespace imagelib::cli {
namespace {

using nlohmann::json;

std::string nested_id(const json& server, const char* field) {
  const json nested = server.value(field, json());
  return nested.is_object() ? json_text(nested.value("id", json())) : json_text(nested);
}

std::string render_server_table(const json& server) {
  return render_table({{"id", "status", "type", "created_on", "image_id", "name"},
                       {json_text(server.value("id", json())), json_text(server.value("status", json())),
                        nested_id(server, "server_type"),
                        json_text(server.value("created_at", json())).substr(0, 10),
                        nested_id(server, "image"), json_text(server.value("name", json()))}});
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
  std::cout << (args.target.output == "json" ? server->dump(2) + "\n" : render_server_table(*server));
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
  CLI::App* servers = app.add_subcommand("servers", "Build servers from images and snapshot them");
  servers->require_subcommand(1);

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
