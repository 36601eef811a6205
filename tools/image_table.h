// Tables of images and fields as brightbox-cli prints them, rendered from the
// API's JSON so that the same code serves the reference and any deployment.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace imagelib::cli {

// Columns id owner type created_on status size arch name, a dashed rule
// above and below, two spaces between columns. Rows are sorted as the CLI
// sorts them: official first, then by name, arch and status; snapshots last.
std::string render_image_table(std::vector<nlohmann::json> images);

// "available" shows as public or private, "deprecated" as deprecated when
// public and private otherwise; other statuses as they are.
std::string display_status(const nlohmann::json& image);

// Fields one per line, names right-aligned: "  library_ftp_user: acc-xxxxx".
std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace imagelib::cli
