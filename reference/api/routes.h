// Routing: the request target split into path and query, and the table of
// SPEC §3 endpoints that maps a method and a path onto an Endpoint, or says
// why none matches (404, or 405 with the methods the path allows).
// Used by ApiService only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/base/status.h"

namespace imagelib::api {

enum class Endpoint {
  kToken,
  kListImages,
  kCreateImage,
  kShowImage,
  kUpdateImage,
  kDestroyImage,
  kLockImage,
  kUnlockImage,
  kListServers,
  kCreateServer,
  kShowServer,
  kSnapshotServer,
  kDestroyServer,
  kListServerTypes,
  kShowServerType,
  kShowOwnAccount,
  kResetOwnFtpPassword,
  kListAccounts,
  kShowAccount,
  kResetFtpPassword,
};

struct Target {
  std::string path;
  // Query parameters, percent-decoded ('+' is a space); a name given twice
  // keeps every value.
  std::multimap<std::string, std::string> query;
};

// Splits "/1.0/images?account_id=acc-x" into path and query; kBadRequest for
// a target that is not an absolute path or has a bad percent escape.
Result<Target> parse_target(std::string_view target);

struct RouteMatch {
  Endpoint endpoint;
  std::string id;  // the {id} segment of the path, empty when it has none
};

struct RouteResult {
  std::optional<RouteMatch> match;
  // When there is no match: the methods the path accepts ("GET, POST"), or
  // empty when no endpoint has this path.
  std::string allow;
};

RouteResult route(std::string_view method, std::string_view path);

}  // namespace imagelib::api
