// Expectations of scenario steps and the aliases a run captures.
//
// An expected value matches an actual one when:
// - it is a plain JSON scalar or array: equal (arrays element by element);
// - it is an object without "$" keys: the actual is an object holding every
//   listed field with a matching value (unlisted fields are free);
// - it is a matcher object: {"$type": "string"}, {"$match": "regex"},
//   {"$absent": true} (as a field's value: the field is missing),
//   {"$any_of": [a, b]}, {"$all_of": [m1, m2]}, {"$ne": v}, {"$contains": m} / {"$not_contains": m}
//   (some / no element of an array matches m), {"$length": n},
//   {"$gte": n}, {"$lte": n}.
// Strings "{{alias}}" in requests and expectations are replaced by captured
// values before use.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/base/status.h"

namespace imagelib::conformance {

using Aliases = std::map<std::string, nlohmann::json>;

// Replaces "{{name}}" in every string of `value`: a string that is exactly
// one reference takes the alias's JSON value, otherwise its text is spliced
// in. An unknown alias is an error naming it.
Result<nlohmann::json> interpolate(const nlohmann::json& value, const Aliases& aliases);

// Appends one line per mismatch, e.g. `body.status: expected "available", got "creating"`.
void match(const nlohmann::json& expected, const nlohmann::json& actual, const std::string& where,
           std::vector<std::string>& mismatches);

// The value at a dotted path ("body.id", "headers.link", "body.0.name"), or
// a discarded value when absent.
nlohmann::json value_at(const nlohmann::json& root, const std::string& dotted_path);

}  // namespace imagelib::conformance
