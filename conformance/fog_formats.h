// The formats fog-brightbox and brightbox-cli read in the API's answers
// (fog_formats.schema.json, compiled in): which format an answer must have,
// from its method, path and status, and what in it does not. The scenario
// runner checks every API answer a target gives with it; tests call it on
// answers of their own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace imagelib::conformance {

// The problems of one answer, each "GET /1.0/servers/{id} (full_server):
// /image/owner: must match ..."; empty when it has its format. A 2xx answer
// of an endpoint of the schema must have that endpoint's format, any other
// answer of a /1.0 path the error format; /token (OAuth's shapes) and paths
// outside /1.0 are not checked. A query string and one trailing slash are
// ignored.
std::vector<std::string> fog_format_violations(std::string_view method, std::string_view target,
                                               int status, const std::string& body);

}  // namespace imagelib::conformance
