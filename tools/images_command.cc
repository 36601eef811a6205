// imagelib images list|show|register|update|destroy|lock|unlock: the image
// library's API as brightbox-cli's `images` commands drive it, with the same
// flags, client-side list filters, tables and info lines; --output json
// prints the API's JSON instead of a table.
#include <iostream>
#include <memory>
#include <optional>

#include "tools/client_target.h"
#include "tools/command.h"
#include "tools/image_table.h"

namespace imagelib::cli {
namespace {

using nlohmann::json;

void print_images(const TargetOptions& target, const std::vector<json>& images, const json& raw) {
  if (target.output == "json") {
    std::cout << raw.dump(2) << "\n";
  } else {
    std::cout << render_image_table(images);
  }
}

// --- list ---
struct ListArgs {
  TargetOptions target;
  bool show_all = false;
  std::string type;
  std::string status;
  std::string account;
};

bool listed(const json& image, const ListArgs& args, const std::string& own_account) {
  const bool official = image.value("official", false);
  const std::string owner = json_text(image.value("owner", json()));
  const std::string type = official ? "official" : json_text(image.value("source_type", json()));
  if (!args.type.empty() && type != args.type) return false;
  if (!args.status.empty() && display_status(image) != args.status) return false;
  if (!args.account.empty() && (args.account == "brightbox" ? !official : owner != args.account)) {
    return false;
  }
  return args.show_all || official || owner == own_account;
}

Status run_list(const ListArgs& args) {
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto images = (*api)->call("GET", "/1.0/images", nullptr, 200);
  if (!images.ok()) return images.status();
  if (!images->is_array()) return Status(ErrorCode::kInternal, "the API's image list is not an array");
  std::string own_account;
  if (!args.show_all) {
    auto account = (*api)->call("GET", "/1.0/account", nullptr, 200);
    if (!account.ok()) return account.status();
    own_account = json_text(account->value("id", json()));
  }
  std::vector<json> kept;
  for (const json& image : *images) {
    if (image.is_object() && listed(image, args, own_account)) kept.push_back(image);
  }
  sort_images(kept);
  print_images(args.target, kept, json(kept));
  return {};
}

// --- show ---
std::string show_fields(const json& image) {
  const bool official = image.value("official", false);
  const json ancestor = image.value("ancestor", json());
  std::vector<std::pair<std::string, std::string>> fields{
      {"id", json_text(image.value("id", json()))},
      {"type", official ? "official" : json_text(image.value("source_type", json()))},
      {"owner", official ? "brightbox" : json_text(image.value("owner", json()))},
      {"created_at", json_text(image.value("created_at", json()))},
      {"status", display_status(image)},
      {"locked", json_text(image.value("locked", json(false)))},
      {"arch", json_text(image.value("arch", json()))},
      {"name", json_text(image.value("name", json()))},
      {"description", json_text(image.value("description", json()))},
      {"username", json_text(image.value("username", json()))},
      {"virtual_size", json_text(image.value("virtual_size", json()))},
      {"disk_size", json_text(image.value("disk_size", json()))},
      {"public", json_text(image.value("public", json(false)))},
      {"compatibility_mode", json_text(image.value("compatibility_mode", json(false)))},
      {"official", json_text(image.value("official", json(false)))},
      {"ancestor_id", ancestor.is_object() ? json_text(ancestor.value("id", json())) : ""},
      {"licence_name", json_text(image.value("licence_name", json()))},
      {"min_ram", json_text(image.value("min_ram", json()))},
  };
  // This library's extensions (SPEC §2), when the target has them.
  for (const char* extension : {"source_format", "sha256", "status_reason"}) {
    if (image.contains(extension)) fields.emplace_back(extension, json_text(image[extension]));
  }
  return render_fields(fields);
}

Status run_show(const IdsArgs& args) {
  if (Status valid = check_ids(args.ids, "img", "an image"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  std::vector<json> images;
  for (const auto& id : args.ids) {
    auto image = (*api)->call("GET", "/1.0/images/" + id, nullptr, 200);
    if (!image.ok()) return Status(image.status().code(), id + ": " + image.status().message());
    images.push_back(*image);
  }
  if (args.target.output == "json") {
    std::cout << (images.size() == 1 ? images.front() : json(images)).dump(2) << "\n";
    return {};
  }
  for (std::size_t i = 0; i < images.size(); ++i) {
    std::cout << (i > 0 ? "\n" : "") << show_fields(images[i]);
  }
  return {};
}

// --- register ---
struct RegisterArgs {
  TargetOptions target;
  std::string arch;
  std::string name;
  std::string description;
  std::string source;
  std::string url;
  std::string mode = "virtio";
  std::string is_public = "false";
  std::optional<std::uint32_t> min_ram;
  std::string username;
};

// Shows the image the API just made or changed, fetched again so the table
// has every field.
Status show_one(ApiSession& api, const TargetOptions& target, const std::string& id) {
  auto image = api.call("GET", "/1.0/images/" + id, nullptr, 200);
  if (!image.ok()) return image.status();
  print_images(target, {*image}, *image);
  return {};
}

Status run_register(const RegisterArgs& args) {
  if (args.source.empty() == args.url.empty()) {
    return Status(ErrorCode::kBadRequest,
                  args.source.empty() ? "You must specify one of 'source' (-s) or 'url' (--url)"
                                      : "You cannot register from multiple sources. Use either 'source' or 'url'");
  }
  json body = {{"arch", args.arch},
               {"compatibility_mode", args.mode == "compatibility"},
               {"public", args.is_public == "true"}};
  if (!args.source.empty()) body["source"] = args.source;
  if (!args.url.empty()) body["http_url"] = args.url;
  if (!args.name.empty()) body["name"] = args.name;
  if (!args.description.empty()) body["description"] = args.description;
  if (!args.username.empty()) body["username"] = args.username;
  if (args.min_ram) body["min_ram"] = *args.min_ram;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto created = (*api)->call("POST", "/1.0/images", body, 201);
  if (!created.ok()) return created.status();
  return show_one(**api, args.target, json_text(created->value("id", json())));
}

// --- update ---
struct UpdateArgs {
  TargetOptions target;
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> arch;
  std::optional<std::string> username;
  std::optional<std::uint32_t> min_ram;
  std::optional<std::string> mode;
  std::optional<std::string> is_public;
  std::optional<std::string> deprecated;
};

Status run_update(const UpdateArgs& args) {
  if (Status valid = check_id(args.id, "img", "an image"); !valid.ok()) return valid;
  json body = json::object();
  if (args.name) body["name"] = *args.name;
  if (args.description) body["description"] = *args.description;
  if (args.arch) body["arch"] = *args.arch;
  if (args.username) body["username"] = *args.username;
  if (args.min_ram) body["min_ram"] = *args.min_ram;
  if (args.mode) body["compatibility_mode"] = *args.mode == "compatibility";
  if (args.is_public) body["public"] = *args.is_public == "true";
  if (args.deprecated) body["status"] = *args.deprecated == "true" ? "deprecated" : "available";
  if (body.empty()) return Status(ErrorCode::kBadRequest, "nothing to update: give at least one field to change");
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  auto updated = (*api)->call("PUT", "/1.0/images/" + args.id, body, 200);
  if (!updated.ok()) return updated.status();
  say(args.target, "Updated image " + args.id);
  return show_one(**api, args.target, args.id);
}

// --- destroy, lock, unlock: the same action on each image in turn ---
struct Action {
  const char* verb;    // "Destroyed"
  const char* method;  // "DELETE"
  const char* suffix;  // appended to /1.0/images/{id}
  int expected_status;
};

Status run_action(const IdsArgs& args, const Action& action) {
  if (Status valid = check_ids(args.ids, "img", "an image"); !valid.ok()) return valid;
  auto api = ApiSession::open(args.target);
  if (!api.ok()) return api.status();
  std::vector<json> images;
  for (const auto& id : args.ids) {
    auto done = (*api)->call(action.method, "/1.0/images/" + id + action.suffix, nullptr,
                             action.expected_status);
    if (!done.ok()) return Status(done.status().code(), id + ": " + done.status().message());
    say(args.target, std::string(action.verb) + " image " + id);
    if (done->is_object() && done->contains("id")) images.push_back(*done);
  }
  if (!images.empty()) print_images(args.target, images, images.size() == 1 ? images.front() : json(images));
  return {};
}

CLI::App* leaf(CLI::App& images, const std::string& name, const std::string& help, TargetOptions& target) {
  CLI::App* command = images.add_subcommand(name, help);
  add_target_options(*command, target, TargetUse::kApi);
  return command;
}

void add_ids_command(CLI::App& images, int& exit_code, const std::string& name,
                     const std::string& help, Action action) {
  auto args = std::make_shared<IdsArgs>();
  CLI::App* command = leaf(images, name, help, args->target);
  command->add_option("ids", args->ids, "Image ids (img-xxxxx)")->required();
  command->callback([args, action, &exit_code] { exit_code = exit_status(run_action(*args, action)); });
}

}  // namespace

void add_images_command(CLI::App& app, int& exit_code) {
  CLI::App* images = app.add_subcommand("images", "Manage images in the image library (as brightbox images)");
  images->require_subcommand(1);

  auto list = std::make_shared<ListArgs>();
  CLI::App* list_command = leaf(*images, "list", "List images (official and your own)", list->target);
  list_command->add_flag("-a,--show-all", list->show_all, "Show all public images from all accounts");
  list_command->add_option("-t,--type", list->type, "Show only images of a given type (official, upload, snapshot)");
  list_command->add_option("-s,--status", list->status, "Show only images of a given status (public, private, ...)");
  list_command->add_option("-l,--account", list->account, "Show only images for a given account id (or brightbox)");
  list_command->callback([list, &exit_code] { exit_code = exit_status(run_list(*list)); });

  auto show = std::make_shared<IdsArgs>();
  CLI::App* show_command = leaf(*images, "show", "Show detailed image info", show->target);
  show_command->add_option("ids", show->ids, "Image ids (img-xxxxx)")->required();
  show_command->callback([show, &exit_code] { exit_code = exit_status(run_show(*show)); });

  auto reg = std::make_shared<RegisterArgs>();
  CLI::App* reg_command = leaf(*images, "register", "Register an image in the image library", reg->target);
  reg_command->add_option("-a,--arch", reg->arch, "Architecture of the image (i686 or x86_64)")->required();
  reg_command->add_option("-n,--name", reg->name, "Image name");
  reg_command->add_option("-d,--description", reg->description, "Image description");
  reg_command->add_option("-s,--source", reg->source, "Source filename of the image you uploaded to incoming/");
  reg_command->add_option("--url", reg->url, "Source URL of the image to download via HTTP");
  reg_command->add_option("-m,--mode", reg->mode, "Set image mode to be either 'virtio' or 'compatibility'")
      ->check(CLI::IsMember({"virtio", "compatibility"}))
      ->capture_default_str();
  reg_command->add_option("-p,--public", reg->is_public, "Set image to be publicly visible (true or false)")
      ->check(CLI::IsMember({"true", "false"}))
      ->capture_default_str();
  reg_command->add_option("--min-ram", reg->min_ram, "Set minimum amount of RAM required by this image (MB)");
  reg_command->add_option("-u,--username", reg->username, "Image username");
  reg_command->callback([reg, &exit_code] { exit_code = exit_status(run_register(*reg)); });

  auto update = std::make_shared<UpdateArgs>();
  CLI::App* update_command = leaf(*images, "update", "Update an image's attributes", update->target);
  update_command->add_option("id", update->id, "Image id (img-xxxxx)")->required();
  update_command->add_option("-n,--name", update->name, "Image name");
  update_command->add_option("-d,--description", update->description, "Image description");
  update_command->add_option("-a,--arch", update->arch, "Architecture of the image (i686 or x86_64)");
  update_command->add_option("-u,--username", update->username, "Image username");
  update_command->add_option("--min-ram", update->min_ram, "Minimum amount of RAM required (MB)");
  update_command->add_option("-m,--mode", update->mode, "virtio or compatibility")
      ->check(CLI::IsMember({"virtio", "compatibility"}));
  update_command->add_option("-p,--public", update->is_public, "Publicly visible (true or false)")
      ->check(CLI::IsMember({"true", "false"}));
  update_command->add_option("--deprecated", update->deprecated, "Deprecate (true) or reinstate (false)")
      ->check(CLI::IsMember({"true", "false"}));
  update_command->callback([update, &exit_code] { exit_code = exit_status(run_update(*update)); });

  add_ids_command(*images, exit_code, "destroy", "Destroy images", {"Destroyed", "DELETE", "", 202});
  add_ids_command(*images, exit_code, "lock", "Lock images against destruction",
                  {"Locked", "PUT", "/lock_resource", 200});
  add_ids_command(*images, exit_code, "unlock", "Unlock images", {"Unlocked", "PUT", "/unlock_resource", 200});
}

}  // namespace imagelib::cli
