#include "conformance/reference_comparison.h"

#include <algorithm>
#include <regex>

namespace imagelib::conformance {
namespace {

// Besides times, urls and secrets: what a deployment chooses for itself
// (its domain, its accounts' limits, addresses and verification) and texts
// meant for people.
const std::set<std::string> kVolatile = {
    "created_at", "url", "library_ftp_password", "library_ftp_host", "access_token", "secret",
    "link", "errors", "error_description", "text", "fqdn", "email_address", "ram_limit",
    "ram_used", "cloud_ips_limit", "cloud_ips_used", "load_balancers_limit",
    "load_balancers_used", "address_1", "address_2", "city", "county", "postcode",
    "country_code", "country_name", "vat_registration_number", "telephone_number",
    "telephone_verified", "verified_telephone", "verified_at", "verified_ip",
    "valid_credit_card", "transport_error"};
const std::set<std::string> kExtensions = {"source_format", "sha256", "status_reason"};
// What a registration job settles: a remote target's job ends in real time,
// the reference's when the scenario lets virtual time pass.
const std::set<std::string> kJobResults = {"status",        "disk_size", "virtual_size",
                                           "source_format", "sha256",    "status_reason"};
const std::vector<std::string> kComparedHeaders = {"content-type", "location", "link",
                                                   "www-authenticate"};

const std::regex kId{"^[a-z]{3}-[0-9a-z]{5,}$"};
const std::regex kIdInText{"\\b(acc|img|srv|cli|usr|typ)-[0-9a-z]{5,}\\b"};
const std::regex kTime{"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z"};
const std::regex kShortTime{
    "\\b[0-9]{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{2}:[0-9]{2}\\b"};
const std::regex kUrlBase{"https?://[^/>\\s]+"};

bool is_id(const std::string& text) { return std::regex_match(text, kId); }

std::string masked_times(const std::string& text) {
  return std::regex_replace(std::regex_replace(text, kTime, "<time>"), kShortTime, "<time>");
}

bool is_record(const nlohmann::json& value) {
  return value.is_object() && value.contains("id") && value["id"].is_string();
}

std::string id_of(const nlohmann::json& record) { return record["id"].get<std::string>(); }

std::string field_text(const nlohmann::json& record, const char* field) {
  return record.contains(field) && record[field].is_string() ? record[field].get<std::string>() : "";
}

// "img-3kx9a (\"disk\", available)": an entry as a difference names it.
std::string describe(const nlohmann::json& record) {
  std::string text = id_of(record);
  std::string details;
  if (record.contains("name") && record["name"].is_string()) details = "\"" + field_text(record, "name") + "\"";
  if (record.contains("status") && record["status"].is_string()) {
    details += (details.empty() ? "" : ", ") + field_text(record, "status");
  }
  return details.empty() ? text : text + " (" + details + ")";
}

// One side still registering, the other done or still registering.
bool job_settling(const nlohmann::json& model, const nlohmann::json& target) {
  const std::string a = field_text(model, "status");
  const std::string b = field_text(target, "status");
  const auto reachable = [](const std::string& s) {
    return s == "creating" || s == "available" || s == "failed";
  };
  return (a == "creating" && reachable(b)) || (b == "creating" && reachable(a));
}

std::string normalised_header(const std::string& name, const std::string& value) {
  std::string out = value;
  if (name == "content-type" || name == "www-authenticate") {
    // The media type, or the scheme: parameters (charset, realm) are free.
    out = out.substr(0, out.find_first_of(name == "content-type" ? ";" : " "));
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  return std::regex_replace(out, kUrlBase, "<api>");
}

}  // namespace

bool is_job_result(const std::string& field) { return kJobResults.count(field) != 0; }

bool ReferenceComparison::pair(const std::string& target_id, const std::string& model_id) {
  auto to = to_model_.find(target_id);
  auto from = from_model_.find(model_id);
  if (to != to_model_.end() || from != from_model_.end()) {
    return to != to_model_.end() && to->second == model_id;
  }
  to_model_[target_id] = model_id;
  from_model_[model_id] = target_id;
  return true;
}

void ReferenceComparison::differ(const std::string& where, const std::string& what) {
  differences_->push_back(where.empty() ? what : where + ": " + what);
}

std::string ReferenceComparison::as_reference(const std::string& target_text) const {
  std::string out;
  auto rest = target_text.cbegin();
  for (std::sregex_iterator it(target_text.cbegin(), target_text.cend(), kIdInText), end; it != end; ++it) {
    out.append(rest, (*it)[0].first);
    auto known = to_model_.find(it->str());
    out += known != to_model_.end() ? known->second : "<unpaired " + it->str() + ">";
    rest = (*it)[0].second;
  }
  out.append(rest, target_text.cend());
  return masked_times(out);
}

void ReferenceComparison::compare(const nlohmann::json& model, const nlohmann::json& target,
                                  std::vector<std::string>& differences) {
  differences_ = &differences;
  for (const char* key : {"status", "reply"}) {
    if (!model.contains(key)) continue;
    if (target.value(key, nlohmann::json()) != model[key]) {
      differ(key, "reference " + model[key].dump() + ", target " + target.value(key, nlohmann::json()).dump());
    }
  }
  if (model.contains("headers") || target.contains("headers")) {
    compare_headers(model.value("headers", nlohmann::json::object()),
                    target.value("headers", nlohmann::json::object()));
  }
  for (const char* key : {"body", "names", "size", "sha256"}) {
    if (!model.contains(key) && !target.contains(key)) continue;
    compare_value(model.value(key, nlohmann::json()), target.value(key, nlohmann::json()), key);
  }
  differences_ = nullptr;
}

void ReferenceComparison::compare_headers(const nlohmann::json& model, const nlohmann::json& target) {
  for (const auto& name : kComparedHeaders) {
    const bool in_model = model.contains(name);
    const bool in_target = target.contains(name);
    const std::string where = "headers." + name;
    if (in_model != in_target) {
      differ(where, in_model ? "the reference sends " + model[name].dump() + ", the target none"
                             : "the target sends " + target[name].dump() + ", the reference none");
    } else if (in_model) {
      const std::string a = normalised_header(name, model[name].get<std::string>());
      const std::string b = normalised_header(name, target[name].get<std::string>());
      if (name == "link" || name == "location") compare_texts(a, b, where);
      else if (a != b) differ(where, "reference \"" + a + "\", target \"" + b + "\"");
    }
  }
}

void ReferenceComparison::compare_value(const nlohmann::json& model, const nlohmann::json& target,
                                        const std::string& where) {
  if (model.is_object() && target.is_object()) return compare_objects(model, target, where);
  if (model.is_array() && target.is_array()) return compare_arrays(model, target, where);
  if (model.is_string() && target.is_string()) return compare_texts(model, target, where);
  if (model != target) differ(where, "reference " + model.dump() + ", target " + target.dump());
}

void ReferenceComparison::compare_texts(const nlohmann::json& model, const nlohmann::json& target,
                                        const std::string& where) {
  compare_strings(model.get<std::string>(), target.get<std::string>(), where);
}

void ReferenceComparison::compare_strings(const std::string& model, const std::string& target,
                                          const std::string& where) {
  if (is_id(model) && is_id(target) && model.substr(0, 4) == target.substr(0, 4)) {
    // The same place of the same answer: the same thing, unless either is
    // already known as something else.
    if (!pair(target, model)) {
      differ(where, "the target's " + target + " is not the reference's " + model + " (" +
                        (to_model_.count(target) != 0 ? "it stands for " + to_model_.at(target)
                                                      : "that is " + from_model_.at(model)) +
                        ")");
    }
    return;
  }
  // Ids inside texts (a Link, a generated name) pair in their order.
  std::vector<std::string> ours;
  std::vector<std::string> their_ids;
  for (std::sregex_iterator it(model.begin(), model.end(), kIdInText), end; it != end; ++it) ours.push_back(it->str());
  for (std::sregex_iterator it(target.begin(), target.end(), kIdInText), end; it != end; ++it) their_ids.push_back(it->str());
  if (ours.size() == their_ids.size()) {
    for (std::size_t i = 0; i < ours.size(); ++i) {
      if (ours[i].substr(0, 4) == their_ids[i].substr(0, 4)) pair(their_ids[i], ours[i]);
    }
  }
  const std::string theirs = as_reference(target);
  if (masked_times(model) != theirs) {
    differ(where, "reference \"" + model + "\", target \"" + target + "\"");
  }
}

void ReferenceComparison::compare_objects(const nlohmann::json& model, const nlohmann::json& target,
                                          const std::string& where) {
  const std::string prefix = where.empty() ? "" : where + ".";
  if (is_record(model) && is_record(target)) compare_strings(id_of(model), id_of(target), prefix + "id");
  const bool settling = job_settling(model, target);
  const auto skipped = [&](const std::string& key) {
    return key == "id" || kVolatile.count(key) != 0 || (settling && is_job_result(key));
  };
  for (const auto& [key, value] : model.items()) {
    if (skipped(key)) continue;
    if (target.contains(key)) {
      compare_value(value, target[key], prefix + key);
    } else if (rules_.extensions || kExtensions.count(key) == 0) {
      differ(prefix + key, "the reference answers " + value.dump() + ", the target nothing");
    }
  }
  for (const auto& [key, value] : target.items()) {
    if (model.contains(key) || skipped(key) || rules_.extra_fields.count(key) != 0) continue;
    differ(prefix + key, "the target answers " + value.dump() +
                             ", a field the reference does not answer (not declared in extra_fields)");
  }
}

void ReferenceComparison::compare_arrays(const nlohmann::json& model, const nlohmann::json& target,
                                         const std::string& where) {
  const auto all = [](const nlohmann::json& list, auto&& test) {
    return std::all_of(list.begin(), list.end(), test);
  };
  const auto records = [](const nlohmann::json& v) { return is_record(v); };
  const auto strings = [](const nlohmann::json& v) { return v.is_string(); };
  if (all(model, records) && all(target, records) && !(model.empty() && target.empty())) {
    return compare_records(model, target, where);
  }
  if (all(model, strings) && all(target, strings)) {
    // A set of names (an FTP listing, ids): paired ones first, then the
    // unpaired ids of either side in their order.
    std::vector<std::string> missing;
    std::multiset<std::string> theirs;
    std::vector<std::string> unpaired;
    for (const auto& name : target) {
      const std::string text = name.get<std::string>();
      if (is_id(text) && to_model_.count(text) == 0) unpaired.push_back(text);
      else theirs.insert(as_reference(text));
    }
    for (const auto& name : model) {
      const std::string text = masked_times(name.get<std::string>());
      auto found = theirs.find(text);
      if (found != theirs.end()) {
        theirs.erase(found);
        continue;
      }
      auto candidate = std::find_if(unpaired.begin(), unpaired.end(), [&](const std::string& id) {
        return is_id(text) && from_model_.count(text) == 0 && id.substr(0, 4) == text.substr(0, 4);
      });
      if (candidate != unpaired.end()) {
        pair(*candidate, text);
        unpaired.erase(candidate);
      } else {
        missing.push_back(text);
      }
    }
    for (const auto& name : missing) differ(where, "the reference lists \"" + name + "\", the target does not");
    for (const auto& name : theirs) differ(where, "the target lists \"" + name + "\", the reference does not");
    for (const auto& id : unpaired) differ(where, "the target lists \"" + id + "\", the reference does not");
    return;
  }
  if (model.size() != target.size()) {
    differ(where, "the reference answers " + std::to_string(model.size()) + " entries, the target " +
                      std::to_string(target.size()));
    return;
  }
  for (std::size_t i = 0; i < model.size(); ++i) compare_value(model[i], target[i], where + "." + std::to_string(i));
}

bool ReferenceComparison::may_be_unlisted(const nlohmann::json& entry) const {
  if (to_model_.count(id_of(entry)) != 0) return false;  // the reference knows it and does not list it here
  if (!rules_.dedicated_accounts) return true;
  const std::string owner = field_text(entry, "owner");
  return !owner.empty() && rules_.run_accounts.count(owner) == 0;
}

void ReferenceComparison::compare_records(const nlohmann::json& model, const nlohmann::json& target,
                                          const std::string& where) {
  std::vector<int> match_of(model.size(), -1);  // model entry → target entry
  std::vector<bool> matched(target.size(), false);
  std::map<std::string, std::size_t> model_index;
  for (std::size_t i = 0; i < model.size(); ++i) model_index.emplace(id_of(model[i]), i);
  // Entries whose ids are paired already.
  for (std::size_t j = 0; j < target.size(); ++j) {
    auto paired = to_model_.find(id_of(target[j]));
    if (paired == to_model_.end()) continue;
    auto i = model_index.find(paired->second);
    if (i == model_index.end()) continue;
    if (match_of[i->second] >= 0) {
      differ(where, "the target lists " + describe(target[j]) + " more than once");
      matched[j] = true;
      continue;
    }
    match_of[i->second] = static_cast<int>(j);
    matched[j] = true;
  }
  // Entries new to the run on both sides: the one with the same owner, and
  // the same name when there is one.
  const auto owners_agree = [&](const nlohmann::json& m, const nlohmann::json& t) {
    const std::string a = field_text(m, "owner");
    const std::string b = field_text(t, "owner");
    if (a.empty() || b.empty()) return a == b;
    auto known = to_model_.find(b);
    return known != to_model_.end() ? known->second == a : from_model_.count(a) == 0;
  };
  for (const bool by_name : {true, false}) {
    for (std::size_t i = 0; i < model.size(); ++i) {
      const std::string model_id = id_of(model[i]);
      if (match_of[i] >= 0 || from_model_.count(model_id) != 0) continue;
      for (std::size_t j = 0; j < target.size(); ++j) {
        const std::string target_id = id_of(target[j]);
        if (matched[j] || to_model_.count(target_id) != 0 || target_id.substr(0, 4) != model_id.substr(0, 4) ||
            !owners_agree(model[i], target[j]) ||
            (by_name && as_reference(field_text(target[j], "name")) != masked_times(field_text(model[i], "name")))) {
          continue;
        }
        pair(target_id, model_id);
        match_of[i] = static_cast<int>(j);
        matched[j] = true;
        break;
      }
    }
  }
  for (std::size_t i = 0; i < model.size(); ++i) {
    if (match_of[i] < 0) {
      differ(where, "the reference lists " + describe(model[i]) + ", the target does not");
    } else {
      compare_objects(model[i], target[static_cast<std::size_t>(match_of[i])], where + "[" + id_of(model[i]) + "]");
    }
  }
  for (std::size_t j = 0; j < target.size(); ++j) {
    if (!matched[j] && !may_be_unlisted(target[j])) {
      differ(where, "the target lists " + describe(target[j]) + ", the reference does not");
    }
  }
}

}  // namespace imagelib::conformance
