// The accounts, API clients and official images `imagelib serve` starts
// with: read from `--accounts FILE` or the default of two accounts, and put
// into a fresh Library. File shape (issue 5):
//   {"accounts": [{"id": "acc-main1", "name": "main",
//                  "clients": [{"id": "cli-main1", "secret": "..."}]}],
//    "official_images": [{"name": "Ubuntu", "file": "ubuntu.qcow2", "arch": "x86_64",
//                         "description": "", "username": "ubuntu", "min_ram": 512,
//                         "compatibility_mode": false}]}
// Every id and secret is optional (drawn from the Library's seeded generator
// when absent); a relative "file" is relative to the accounts file.
// Callers: tools/serve_command, net/ tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/base/timestamp.h"
#include "reference/library/library.h"

namespace imagelib::net {

struct ClientConfig {
  std::optional<std::string> id;
  std::optional<std::string> secret;
};

struct AccountConfig {
  std::optional<std::string> id;
  std::string name;
  std::vector<ClientConfig> clients;
};

struct OfficialImageConfig {
  std::string name;
  std::string file;  // absolute once loaded
  std::string arch = "x86_64";
  std::string description;
  std::optional<std::string> username;
  std::optional<std::uint32_t> min_ram;
  bool compatibility_mode = false;
};

struct AccountsConfig {
  std::vector<AccountConfig> accounts;
  std::vector<OfficialImageConfig> official_images;
};

// Parses the JSON text; relative image files are resolved against `base_directory`.
// Errors name the offending field.
Result<AccountsConfig> parse_accounts_config(std::string_view json_text,
                                             const std::string& base_directory);
Result<AccountsConfig> load_accounts_file(const std::string& path);
// Two accounts, "main" and "other", with one API client each.
AccountsConfig default_accounts_config();
// The canonical JSON form (what parse_accounts_config reads back).
nlohmann::json to_json(const AccountsConfig& config);

// What a newcomer needs to connect: one line per API client.
struct ProvisionedClient {
  AccountId account;
  std::string account_name;
  ClientId client;
  std::string secret;
};

// Creates the accounts, clients and official images in `library`.
Result<std::vector<ProvisionedClient>> provision_library(Library& library,
                                                         const AccountsConfig& config,
                                                         Timestamp at);

}  // namespace imagelib::net
