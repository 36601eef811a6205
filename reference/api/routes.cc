#include "reference/api/routes.h"

#include <array>
#include <optional>
#include <utility>

#include "reference/api/form_urlencoded.h"

namespace imagelib::api {
namespace {

struct RouteRow {
  std::string_view method;
  std::string_view pattern;  // "{id}" matches any one non-empty segment
  Endpoint endpoint;
};

constexpr std::array<RouteRow, 20> kRoutes{{
    {"POST", "/token", Endpoint::kToken},
    {"GET", "/1.0/images", Endpoint::kListImages},
    {"POST", "/1.0/images", Endpoint::kCreateImage},
    {"GET", "/1.0/images/{id}", Endpoint::kShowImage},
    {"PUT", "/1.0/images/{id}", Endpoint::kUpdateImage},
    {"DELETE", "/1.0/images/{id}", Endpoint::kDestroyImage},
    {"PUT", "/1.0/images/{id}/lock_resource", Endpoint::kLockImage},
    {"PUT", "/1.0/images/{id}/unlock_resource", Endpoint::kUnlockImage},
    {"GET", "/1.0/servers", Endpoint::kListServers},
    {"POST", "/1.0/servers", Endpoint::kCreateServer},
    {"GET", "/1.0/servers/{id}", Endpoint::kShowServer},
    {"DELETE", "/1.0/servers/{id}", Endpoint::kDestroyServer},
    {"POST", "/1.0/servers/{id}/snapshot", Endpoint::kSnapshotServer},
    {"GET", "/1.0/server_types", Endpoint::kListServerTypes},
    {"GET", "/1.0/server_types/{id}", Endpoint::kShowServerType},
    {"GET", "/1.0/account", Endpoint::kShowOwnAccount},
    {"POST", "/1.0/account/reset_ftp_password", Endpoint::kResetOwnFtpPassword},
    {"GET", "/1.0/accounts", Endpoint::kListAccounts},
    {"GET", "/1.0/accounts/{id}", Endpoint::kShowAccount},
    {"POST", "/1.0/accounts/{id}/reset_ftp_password", Endpoint::kResetFtpPassword},
}};

constexpr std::string_view kIdPlaceholder = "{id}";

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  path.remove_prefix(1);  // the leading '/'
  while (true) {
    const auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

// The {id} segment when `path` matches `pattern`, "" for a pattern without
// one; nullopt when it does not match.
std::optional<std::string_view> match_pattern(std::string_view pattern,
                                              const std::vector<std::string_view>& path) {
  const auto wanted = split_segments(pattern);
  if (wanted.size() != path.size()) return std::nullopt;
  std::string_view id;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i] == kIdPlaceholder) {
      if (path[i].empty()) return std::nullopt;
      id = path[i];
    } else if (wanted[i] != path[i]) {
      return std::nullopt;
    }
  }
  return id;
}

// One trailing slash is ignored on every route: "/token/" (what
// golang.org/x/oauth2 clients are configured with) and "/1.0/images/" are
// "/token" and "/1.0/images". The real API is a Rails application, and Rails
// routing drops a trailing slash before it matches any route, so accepting
// it only on /token would refuse paths the real API answers.
std::string_view without_trailing_slash(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return Status(ErrorCode::kBadRequest, "the request target must be an absolute path");
  }
  Target parsed;
  const auto question = target.find('?');
  parsed.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return parsed;
  auto fields = decode_form(target.substr(question + 1));
  if (!fields.ok()) return Status(ErrorCode::kBadRequest, "in the query: " + fields.status().message());
  for (FormField& field : *fields) parsed.query.emplace(std::move(field.name), std::move(field.value));
  return parsed;
}

RouteResult route(std::string_view method, std::string_view path) {
  const auto segments = split_segments(without_trailing_slash(path));
  RouteResult result;
  for (const RouteRow& row : kRoutes) {
    const auto id = match_pattern(row.pattern, segments);
    if (!id) continue;
    if (row.method == method) {
      result.match = RouteMatch{row.endpoint, std::string(*id)};
      result.allow.clear();
      return result;
    }
    if (!result.allow.empty()) result.allow += ", ";
    result.allow += row.method;
  }
  return result;
}

}  // namespace imagelib::api
