#include "reference/ftp/ftp_listing.h"

#include <array>
#include <cstdio>

#include "reference/ftp/ftp_command.h"

namespace imagelib {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
// `ls` shows the year instead of the time for entries older than this or in the future.
constexpr Duration kRecent = std::chrono::hours(24 * 182);

std::string_view permissions(const FtpEntry& entry, FtpFolder folder) {
  if (entry.is_folder) return "drwxr-sr-x";
  return folder == FtpFolder::kIncoming ? "-rw-r--r--" : "-r--r--r--";
}

std::string format_ls_time(Timestamp t, Timestamp now) {
  const CivilTime c = to_civil(t);
  const bool recent = t <= now + std::chrono::hours(1) && now - t < kRecent;
  char text[32];
  if (recent) {
    std::snprintf(text, sizeof text, "%s %2u %02u:%02u", kMonths[c.month - 1].data(), c.day, c.hour,
                  c.minute);
  } else {
    std::snprintf(text, sizeof text, "%s %2u  %4d", kMonths[c.month - 1].data(), c.day, c.year);
  }
  return text;
}

// The RFC 3659 `perm` fact: what the client may do with the entry.
std::string_view perm_fact(const FtpEntry& entry, const FtpPath& path) {
  if (entry.is_folder) return path.folder == FtpFolder::kIncoming ? "cel" : "el";
  return path.folder == FtpFolder::kIncoming ? "adfrw" : "r";
}

std::string_view type_fact(const FtpEntry& entry) { return entry.is_folder ? "dir" : "file"; }

}  // namespace

std::string_view strip_ls_options(std::string_view argument) {
  while (!argument.empty() && argument.front() == '-') {
    const std::size_t space = argument.find(' ');
    if (space == std::string_view::npos) return {};
    argument.remove_prefix(space + 1);
    while (!argument.empty() && argument.front() == ' ') argument.remove_prefix(1);
  }
  return argument;
}

FtpPath entry_path(const FtpPath& folder, const FtpEntry& entry) {
  if (folder.folder != FtpFolder::kRoot) return FtpPath{folder.folder, entry.name};
  if (entry.name == "incoming") return FtpPath{FtpFolder::kIncoming, ""};
  if (entry.name == "images") return FtpPath{FtpFolder::kImages, ""};
  return FtpPath{FtpFolder::kRoot, entry.name};
}

std::string format_ftp_time(Timestamp t) {
  const CivilTime c = to_civil(t);
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02u%02u%02u%02u", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return text;
}

std::string format_list_line(const FtpEntry& entry, FtpFolder folder, std::string_view owner,
                             Timestamp now) {
  const std::uint64_t size = entry.is_folder ? 4096 : entry.size;
  const unsigned links = entry.is_folder ? 2 : 1;
  char head[64];
  std::snprintf(head, sizeof head, "%s %3u ", permissions(entry, folder).data(), links);
  char tail[48];
  std::snprintf(tail, sizeof tail, " library %9llu ", static_cast<unsigned long long>(size));
  std::string line = head;
  line += owner;
  line += tail;
  line += format_ls_time(entry.modified_at, now);
  line += ' ';
  line += entry.name;
  return line;
}

std::string format_mlst_facts(const FtpEntry& entry, const FtpPath& entry_path,
                              const MlstFacts& facts) {
  std::string text;
  if (facts.type) {
    text += "type=";
    text += type_fact(entry);
    text += ';';
  }
  if (facts.size && !entry.is_folder) text += "size=" + std::to_string(entry.size) + ';';
  if (facts.modify) text += "modify=" + format_ftp_time(entry.modified_at) + ';';
  if (facts.perm) {
    text += "perm=";
    text += perm_fact(entry, entry_path);
    text += ';';
  }
  text += ' ';
  return text;
}

MlstFacts parse_mlst_facts(std::string_view argument, std::string& echoed) {
  MlstFacts facts{false, false, false, false};
  echoed.clear();
  while (!argument.empty()) {
    const std::size_t semicolon = argument.find(';');
    std::string fact = ascii_lower(argument.substr(0, semicolon));
    argument = semicolon == std::string_view::npos ? std::string_view() : argument.substr(semicolon + 1);
    bool* selected = nullptr;
    if (fact == "type") selected = &facts.type;
    if (fact == "size") selected = &facts.size;
    if (fact == "modify") selected = &facts.modify;
    if (fact == "perm") selected = &facts.perm;
    if (selected == nullptr || *selected) continue;
    *selected = true;
    echoed += fact + ';';
  }
  return facts;
}

std::string feat_mlst_facts(const MlstFacts& facts) {
  std::string text;
  text += facts.type ? "type*;" : "type;";
  text += facts.size ? "size*;" : "size;";
  text += facts.modify ? "modify*;" : "modify;";
  text += facts.perm ? "perm*;" : "perm;";
  return text;
}

}  // namespace imagelib
