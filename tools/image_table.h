// Tables of images and fields as brightbox-cli prints them, rendered from the
// API's JSON so that the same code serves the reference and any deployment.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace imagelib::cli {

// A JSON value as a table cell: strings bare, null empty, others as JSON.
std::string json_text(const nlohmann::json& value);

// A table as brightbox-cli draws one: the first row is the header, a dashed
// rule above and below the body, two spaces between columns.
std::string render_table(const std::vector<std::vector<std::string>>& rows);

// brightbox-cli's order: official first, then name, arch, status (public,
// private, deprecated, other), newest first; snapshots last, oldest first.
void sort_images(std::vector<nlohmann::json>& images);

// Columns id owner type created_on status size arch name, a dashed rule
// above and below, two spaces between columns, rows in sort_images order.
std::string render_image_table(std::vector<nlohmann::json> images);

// "available" shows as public or private, "deprecated" as deprecated when
// public and private otherwise; other statuses as they are.
std::string display_status(const nlohmann::json& image);

// Fields one per line, names right-aligned: "  library_ftp_user: acc-xxxxx".
std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace imagelib::cli
