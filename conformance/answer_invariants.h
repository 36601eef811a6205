// AnswerInvariants: what every API answer must keep, whichever scenario
// asks and whatever it looks at. The runner checks every answer of every
// step and of every read-back, on every target, with or without a reference
// to compare with; the comparison with the reference leaves out what two
// correct services answer differently (urls, times), and these checks cover
// it instead. Each violation names its invariant and SPEC's rule:
// "invariant image-list-visibility (SPEC §3 Listing and showing): ...".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/target.h"
#include "reference/base/timestamp.h"

namespace imagelib::conformance {

struct AnswerContext {
  std::string caller;  // the account id the call acts for; empty without a valid token
  // The target's clock around the call, when the target has one: what the
  // call made is stamped between the two.
  std::optional<Timestamp> started;
  std::optional<Timestamp> ended;
};

struct InvariantInfo {
  const char* name;
  const char* rule;  // where SPEC (or the RFC it follows) says it
  const char* what;  // one line
};

// Every invariant check() applies, for reports and documentation.
const std::vector<InvariantInfo>& answer_invariants();

class AnswerInvariants {
 public:
  // Appends one line per violation of `reply`, the answer to `call`.
  void check(const ApiCall& call, const ApiReply& reply, const AnswerContext& context,
             std::vector<std::string>& violations);

 private:
  // The base of the first url the run saw ("https://api.example.com"):
  // every url of a run has the same one.
  std::optional<std::string> api_base_;
};

}  // namespace imagelib::conformance
