#include "tools/image_table.h"

#include <algorithm>
#include <sstream>
#include <tuple>

namespace imagelib::cli {
std::string json_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

std::string render_table(const std::vector<std::vector<std::string>>& rows) {
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

std::string display_status(const nlohmann::json& image) {
  const std::string status = json_text(image.value("status", nlohmann::json()));
  const bool is_public = image.value("public", false);
  if (status == "available") return is_public ? "public" : "private";
  if (status == "deprecated") return is_public ? "deprecated" : "private";
  return status;
}

namespace {

// brightbox-cli's status_sort_code: public, private, deprecated, anything else.
int status_rank(const nlohmann::json& image) {
  const std::string shown = display_status(image);
  if (shown == "public") return 1;
  if (shown == "private") return 2;
  if (shown == "deprecated") return 3;
  return 4;
}

}  // namespace

void sort_images(std::vector<nlohmann::json>& images) {
  // Images by [official first, name, arch, status rank, newest first];
  // snapshots after them, oldest first (ISO 8601 UTC text sorts by time).
  auto created = [](const nlohmann::json& i) { return json_text(i.value("created_at", nlohmann::json())); };
  auto is_snapshot = [](const nlohmann::json& i) { return i.value("source_type", "") == "snapshot"; };
  auto before = [&](const nlohmann::json& a, const nlohmann::json& b) {
    if (is_snapshot(a) != is_snapshot(b)) return is_snapshot(b);
    if (is_snapshot(a)) return created(a) < created(b);
    const auto key = [](const nlohmann::json& i) {
      return std::make_tuple(!i.value("official", false), json_text(i.value("name", nlohmann::json())),
                             json_text(i.value("arch", nlohmann::json())), status_rank(i));
    };
    if (key(a) != key(b)) return key(a) < key(b);
    return created(a) > created(b);
  };
  std::stable_sort(images.begin(), images.end(), before);
}

std::string render_image_table(std::vector<nlohmann::json> images) {
  sort_images(images);
  std::vector<std::vector<std::string>> rows{
      {"id", "owner", "type", "created_on", "status", "size", "arch", "name"}};
  for (const auto& image : images) {
    const bool official = image.value("official", false);
    rows.push_back({json_text(image.value("id", nlohmann::json())),
                    official ? "brightbox" : json_text(image.value("owner", nlohmann::json())),
                    official ? "official" : json_text(image.value("source_type", nlohmann::json())),
                    json_text(image.value("created_at", nlohmann::json())).substr(0, 10),
                    display_status(image), json_text(image.value("virtual_size", nlohmann::json(0))),
                    json_text(image.value("arch", nlohmann::json())),
                    json_text(image.value("name", nlohmann::json()))});
  }
  return render_table(rows);
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
