// Tables of servers and server types as brightbox-cli prints them, rendered
// from the API's JSON (fog-brightbox's SERVER and SERVER_TYPE formats), so the
// same code serves the reference and any deployment. Fields a deployment
// leaves out show as empty cells. Callers: the servers and types commands.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imagelib::cli {

// brightbox-cli's `servers list` columns: id status type zone created_on
// image_id cloud_ip_ids name, in the order given (the API's).
std::string render_server_table(const std::vector<nlohmann::json>& servers);

// brightbox-cli's `servers show`: DetailedServer's fields, one per line.
std::string render_server_fields(const nlohmann::json& server);

// brightbox-cli's `types list` columns: id name handle ram disk cores,
// smallest RAM first.
std::string render_server_type_table(std::vector<nlohmann::json> types);

// brightbox-cli's `types show`: id handle status name ram disk cores.
std::string render_server_type_fields(const nlohmann::json& type);

}  // namespace imagelib::cli
