// Library::dump_state: the whole state as canonical JSON, for determinism
// checks and for reports. Keys are sorted and records are in id order.
#include <nlohmann/json.hpp>

#include "reference/library/json.h"
#include "reference/library/library.h"

namespace imagelib {
namespace {

constexpr std::string_view kDumpApiBase = "";

std::uint64_t size_of(const std::shared_ptr<const Blob>& blob) { return blob ? blob->size() : 0; }

}  // namespace

std::string Library::dump_state() const {
  nlohmann::json state;
  state["accounts"] = nlohmann::json::array();
  for (const auto& [id, account] : accounts_) {
    nlohmann::json json = account_json(view_account(account), {kDumpApiBase, options_.ftp_host, ""},
                                       /*with_password=*/true);
    json["quota_bytes"] = account.quota_bytes;
    auto& files = json["incoming"] = nlohmann::json::array();
    if (auto folder = incoming_.find(id); folder != incoming_.end()) {
      for (const auto& [name, file] : folder->second) {
        files.push_back({{"name", name},
                         {"size", file.content->size()},
                         {"modified_at", file.modified_at.iso8601()}});
      }
    }
    state["accounts"].push_back(std::move(json));
  }
  state["clients"] = nlohmann::json::array();
  for (const auto& [id, client] : clients_) {
    state["clients"].push_back({{"id", id}, {"secret", client.secret}, {"account", client.account}});
  }
  state["images"] = nlohmann::json::array();
  for (const auto& [id, image] : images_) {
    nlohmann::json json = image_json(image, kDumpApiBase);
    json["file_bytes"] = size_of(image.file);
    json["disk_bytes"] = size_of(image.disk);
    state["images"].push_back(std::move(json));
  }
  state["servers"] = nlohmann::json::array();
  for (const auto& [id, server] : servers_) {
    state["servers"].push_back(server_json(view_server(server), {kDumpApiBase, "", ""}));
  }
  state["jobs"] = nlohmann::json::array();
  for (const Job& job : jobs_) {
    state["jobs"].push_back({{"due", job.due.micros()}, {"image", job.image}});
  }
  return state.dump();
}

}  // namespace imagelib
