// ReferenceComparison: a target's answer to a step against the reference's
// answer to the same step, both ways. Every field the reference answers must
// be in the target's answer with the same value, and every field the target
// answers must be one the reference answers (or a declared extra field);
// lists are compared as sets, since SPEC fixes no order: an entry either
// side lacks is a difference, and so is an entry listed twice. Headers that
// carry meaning (Content-Type, Location, Link, WWW-Authenticate) are
// compared too.
//
// Ids differ between any two services, so the comparison pairs them: a
// target id is the reference id found at the same place of the same answer
// (the same field of two compared records, or the entry of a list with the
// same name and owner), and stays paired for the rest of the run, so an id
// that turns up where the reference has another one is a difference. Times
// inside texts are masked. What any two correct services answer differently
// (times, urls, secrets, what a deployment chooses for its accounts) is not
// compared here; AnswerInvariants checks it instead.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace imagelib::conformance {

struct ComparisonRules {
  // The target's account ids of the run's roles.
  std::set<std::string> run_accounts;
  // The run's accounts hold nothing but what the run makes: a listed entry
  // the reference lacks is a difference unless another account owns it (an
  // official image the deployment provisions). Otherwise entries of the
  // run's accounts that the run never saw are let be (made before the run).
  bool dedicated_accounts = true;
  // The target answers SPEC's extensions (source_format, sha256, status_reason).
  bool extensions = true;
  // Fields the target may answer beyond the reference's.
  std::set<std::string> extra_fields;
};

// Whether a registration job settles `field` (status, sizes, source_format,
// sha256, status_reason): answers given while an image is creating may
// differ in these from later ones.
bool is_job_result(const std::string& field);

class ReferenceComparison {
 public:
  explicit ReferenceComparison(ComparisonRules rules) : rules_(std::move(rules)) {}

  // Records that `target_id` is the target's name for the reference's
  // `model_id` (the run's accounts, captured ids); false when either is
  // already paired with another.
  bool pair(const std::string& target_id, const std::string& model_id);

  // Appends one line per difference between two responses as the runner
  // builds them ("status"/"reply", "headers", "body", FTP "names", "size",
  // "sha256"): `status: reference 201, target 200`.
  void compare(const nlohmann::json& model, const nlohmann::json& target,
               std::vector<std::string>& differences);

 private:
  void compare_value(const nlohmann::json& model, const nlohmann::json& target, const std::string& where);
  void compare_objects(const nlohmann::json& model, const nlohmann::json& target, const std::string& where);
  void compare_arrays(const nlohmann::json& model, const nlohmann::json& target, const std::string& where);
  void compare_records(const nlohmann::json& model, const nlohmann::json& target, const std::string& where);
  void compare_texts(const nlohmann::json& model, const nlohmann::json& target, const std::string& where);
  void compare_strings(const std::string& model, const std::string& target, const std::string& where);
  void compare_headers(const nlohmann::json& model, const nlohmann::json& target);
  // Whether the target's `entry` may be listed though the reference does not list it.
  bool may_be_unlisted(const nlohmann::json& entry) const;
  // The target's text with its ids replaced by the reference's (unpaired
  // ones marked) and its times masked.
  std::string as_reference(const std::string& target_text) const;
  void differ(const std::string& where, const std::string& what);

  ComparisonRules rules_;
  std::map<std::string, std::string> to_model_;    // target id → reference id
  std::map<std::string, std::string> from_model_;  // reference id → target id
  std::vector<std::string>* differences_ = nullptr;  // of the compare() running
};

}  // namespace imagelib::conformance
