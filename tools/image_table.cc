#include "tools/image_table.h"

#include <algorithm>
#include <sstream>
#include <tuple>

namespace imagelib::cli {
namespace {

std::string text_of(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string render_rows(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::size_t total = 0;
  for (std::size_t w : widths) total += w + 2;
  const std::string rule(total, '-');  // as long as the seed document's tables
  auto line = [&](const std::vector<std::string>& row) {
    std::string text = " ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      text += row[i] + std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::string out = line(rows.front()) + rule + "\n";
  for (std::size_t r = 1; r < rows.size(); ++r) out += line(rows[r]);
  return out + rule + "\n";
}

}  // namespace

std::string display_status(const nlohmann::json& image) {
  const std::string status = text_of(image.value("status", nlohmann::json()));
  const bool is_public = image.value("public", false);
  if (status == "available") return is_public ? "public" : "private";
  if (status == "deprecated") return is_public ? "deprecated" : "private";
  return status;
}

std::string render_image_table(std::vector<nlohmann::json> images) {
  auto sort_key = [](const nlohmann::json& i) {
    return std::make_tuple(i.value("source_type", "") == "snapshot", !i.value("official", false),
                           text_of(i.value("name", nlohmann::json())),
                           text_of(i.value("arch", nlohmann::json())), display_status(i));
  };
  std::stable_sort(images.begin(), images.end(),
                   [&](const auto& a, const auto& b) { return sort_key(a) < sort_key(b); });
  std::vector<std::vector<std::string>> rows{
      {"id", "owner", "type", "created_on", "status", "size", "arch", "name"}};
  for (const auto& image : images) {
    const bool official = image.value("official", false);
    rows.push_back({text_of(image["id"]),
                    official ? "brightbox" : text_of(image.value("owner", nlohmann::json())),
                    official ? "official" : text_of(image.value("source_type", nlohmann::json())),
                    text_of(image.value("created_at", nlohmann::json())).substr(0, 10),
                    display_status(image), text_of(image.value("virtual_size", nlohmann::json(0))),
                    text_of(image.value("arch", nlohmann::json())),
                    text_of(image.value("name", nlohmann::json()))});
  }
  return render_rows(rows);
}

std::string render_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t width = 0;
  for (const auto& [name, value] : fields) width = std::max(width, name.size());
  std::string out;
  for (const auto& [name, value] : fields) {
    out += std::string(width - name.size() + 2, ' ') + name + ": " + value + "\n";
  }
  return out;
}

}  // namespace imagelib::cli
