// Scenario families: scenarios written from tables rather than by hand, so
// that every endpoint meets every credential, every mutable field meets
// every other update, and every status meets every observer. The answers'
// details are judged by the runner's invariants and its comparison with the
// reference (each write is read back); the tables give only what SPEC
// fixes for each call (its status code).
//
// `imagelib scenarios generate DIR` writes them; scenarios/generated/ holds
// the checked-in copy, replayed like any other scenario, and a test keeps it
// equal to what this code makes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imagelib::conformance {

struct GeneratedScenarioFile {
  std::string name;  // "auth-bad-token.json"
  nlohmann::json scenario;
};

std::vector<GeneratedScenarioFile> scenario_families();

}  // namespace imagelib::conformance
