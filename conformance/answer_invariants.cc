#include "conformance/answer_invariants.h"

#include <regex>
#include <set>

namespace imagelib::conformance {
namespace {

const std::vector<InvariantInfo> kInvariants = {
    {"json-answer", "SPEC §3 API authentication and errors",
     "an answer with a body is JSON, sent as Content-Type application/json"},
    {"error-body", "SPEC §3 API authentication and errors",
     "an error answer is {\"error_name\", \"errors\": [...]} (OAuth's {\"error\"} at /token)"},
    {"bearer-challenge", "RFC 6750 §3",
     "a 401 names its scheme in WWW-Authenticate"},
    {"record-shape", "SPEC §1, §2",
     "every record has a well-formed id, a url of the run's API base ending in that id, a UTC "
     "ISO 8601 created_at; an image has a known status and sizes 0 while creating"},
    {"made-within-run", "SPEC §2",
     "a record a call makes is stamped between the call's start and end (5 minutes of clock skew allowed)"},
    {"image-list-visibility", "SPEC §3 Listing and showing",
     "GET /1.0/images holds each image once: the caller's own (not deleted), others' only public or "
     "official and available"},
    {"image-show-visibility", "SPEC §3 Listing and showing",
     "GET /1.0/images/{id} answers that image: the caller's own, official or public, never deleted"},
    {"ftp-password-once", "SPEC §3 FTP login",
     "an account's FTP password is shown by reset_ftp_password only, null everywhere else"},
    {"registration-answer", "SPEC §3 Registering an upload",
     "POST /1.0/images answers 201 with an image creating, owned by the caller, private unless asked public"},
    {"snapshot-link", "SPEC §3 Servers and snapshots",
     "a snapshot's 202 names the new image in Link: <.../1.0/images/img-...>; rel=snapshot"},
};

const std::set<std::string> kImageStatuses = {"creating", "available", "deprecated", "unavailable",
                                              "deleting", "deleted",   "failed"};
const std::regex kId{"^[a-z]{3}-[0-9a-z]{5,}$"};
const std::regex kSnapshotLink{"^<(https?://[^>]+)/1\\.0/images/(img-[0-9a-z]{5,})>; *rel=\"?snapshot\"?$"};
constexpr auto kClockSkew = std::chrono::minutes(5);

const char* rule_of(const std::string& name) {
  for (const auto& info : kInvariants) {
    if (name == info.name) return info.rule;
  }
  return "";
}

std::string text_of(const nlohmann::json& record, const char* field) {
  return record.contains(field) && record[field].is_string() ? record[field].get<std::string>() : "";
}

bool flag_of(const nlohmann::json& record, const char* field) {
  return record.contains(field) && record[field].is_boolean() && record[field].get<bool>();
}

// The path without its query and trailing slash, cut at each '/'.
std::vector<std::string> segments_of(const std::string& path) {
  std::vector<std::string> out;
  std::string plain = path.substr(0, path.find('?'));
  std::size_t start = 1;
  while (start <= plain.size()) {
    const std::size_t end = std::min(plain.find('/', start), plain.size());
    if (end > start) out.push_back(plain.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class Check {
 public:
  Check(const ApiCall& call, const ApiReply& reply, const AnswerContext& context,
        std::optional<std::string>& api_base, std::vector<std::string>& violations)
      : call_(call), reply_(reply), context_(context), api_base_(api_base), violations_(violations),
        segments_(segments_of(call.path)) {}

  void run() {
    check_json();
    if (!body_.is_discarded()) {
      check_error_body();
      for_each_record(body_);
      if (reply_.status == 200 && call_.method == "GET") check_visibility();
      check_passwords();
      check_registration();
    }
    if (reply_.status == 401 && reply_.headers.count("www-authenticate") == 0) {
      violate("bearer-challenge", "a 401 without a WWW-Authenticate header");
    }
    check_snapshot_link();
  }

 private:
  void violate(const std::string& invariant, const std::string& what) {
    violations_.push_back("invariant " + invariant + " (" + rule_of(invariant) + "): " + what);
  }

  bool is_token_endpoint() const { return !segments_.empty() && segments_[0] == "token"; }

  void check_json() {
    if (reply_.body.empty()) return;
    body_ = nlohmann::json::parse(reply_.body, nullptr, /*allow_exceptions=*/false);
    if (body_.is_discarded()) {
      violate("json-answer", "the body is not JSON: " + reply_.body.substr(0, 80));
      return;
    }
    auto type = reply_.headers.find("content-type");
    std::string media = type == reply_.headers.end() ? "" : type->second.substr(0, type->second.find(';'));
    for (char& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!media.empty() && media.back() == ' ') media.pop_back();
    if (media != "application/json") {
      violate("json-answer", "a JSON body sent as Content-Type \"" +
                                 (type == reply_.headers.end() ? std::string("(none)") : type->second) + "\"");
    }
  }

  void check_error_body() {
    if (reply_.status < 400) return;
    if (is_token_endpoint()) {
      if (!body_.is_object() || !body_.contains("error") || !body_["error"].is_string()) {
        violate("error-body", "an OAuth error without an \"error\" string: " + body_.dump());
      }
      return;
    }
    const bool named = body_.is_object() && body_.contains("error_name") && body_["error_name"].is_string();
    bool listed = body_.is_object() && body_.contains("errors") && body_["errors"].is_array();
    if (listed) {
      for (const auto& error : body_["errors"]) listed = listed && error.is_string();
    }
    if (!named || !listed) violate("error-body", "an error " + std::to_string(reply_.status) + " answers " + body_.dump().substr(0, 160));
  }

  void for_each_record(const nlohmann::json& value) {
    if (value.is_array()) {
      for (const auto& element : value) for_each_record(element);
      return;
    }
    if (!value.is_object()) return;
    if (value.contains("resource_type") && value.contains("id")) check_record(value);
    for (const auto& [key, child] : value.items()) for_each_record(child);
  }

  void check_record(const nlohmann::json& record) {
    const std::string id = text_of(record, "id");
    const std::string where = (id.empty() ? record["id"].dump() : id) + ": ";
    if (!std::regex_match(id, kId)) violate("record-shape", where + "the id is not ^[a-z]{3}-[0-9a-z]{5,}$");
    if (record.contains("url")) check_url(record, id, where);
    if (record.contains("created_at") && !record["created_at"].is_null()) {
      const std::string created = text_of(record, "created_at");
      const auto stamp = Timestamp::parse_iso8601(created);
      if (!stamp) {
        violate("record-shape", where + "created_at " + record["created_at"].dump() + " is not UTC ISO 8601 (…Z)");
      } else if (context_.ended && *stamp > *context_.ended + kClockSkew) {
        violate("made-within-run", where + "created_at " + created + " is after the call (" + context_.ended->iso8601() + ")");
      }
    }
    if (text_of(record, "resource_type") == "image") check_image(record, where);
  }

  void check_url(const nlohmann::json& record, const std::string& id, const std::string& where) {
    const std::string url = text_of(record, "url");
    const std::size_t api = url.find("/1.0/");
    if (api == std::string::npos || url.size() < id.size() + 1 || url.compare(url.size() - id.size() - 1, std::string::npos, "/" + id) != 0) {
      violate("record-shape", where + "url " + record["url"].dump() + " is not <api>/1.0/<collection>/" + id);
      return;
    }
    const std::string base = url.substr(0, api);
    if (!api_base_) api_base_ = base;
    if (base != *api_base_) {
      violate("record-shape", where + "url " + url + " is not under the run's API base " + *api_base_);
    }
  }

  // Nested references to an image (a server's, an ancestor) may carry only
  // its id, url and name: what a record has must be well-formed.
  void check_image(const nlohmann::json& image, const std::string& where) {
    const std::string status = text_of(image, "status");
    if (image.contains("status") && kImageStatuses.count(status) == 0) {
      violate("record-shape", where + "status " + image.value("status", nlohmann::json()).dump() + " is not one of SPEC §2's");
    }
    if (status == "creating" &&
        (image.value("disk_size", nlohmann::json(0)) != 0 || image.value("virtual_size", nlohmann::json(0)) != 0)) {
      violate("record-shape", where + "sizes while creating must be 0, not disk_size " +
                                  image.value("disk_size", nlohmann::json()).dump() + ", virtual_size " +
                                  image.value("virtual_size", nlohmann::json()).dump());
    }
    if (image.contains("owner") && !std::regex_match(text_of(image, "owner"), kId)) {
      violate("record-shape", where + "owner " + image.value("owner", nlohmann::json()).dump() + " is not an account id");
    }
  }

  // Whether the caller may see another account's image in a listing
  // (`listed`) or by id.
  bool visible(const nlohmann::json& image, bool listed) const {
    const std::string status = text_of(image, "status");
    if (status == "deleted") return false;
    if (text_of(image, "owner") == context_.caller) return true;
    if (!flag_of(image, "public") && !flag_of(image, "official")) return false;
    return !listed || status == "available";
  }

  void check_visibility() {
    const bool images = segments_.size() >= 2 && segments_[0] == "1.0" && segments_[1] == "images";
    if (!images || context_.caller.empty()) return;
    if (segments_.size() == 2) {
      if (!body_.is_array()) {
        violate("image-list-visibility", "the answer is not a list");
        return;
      }
      std::set<std::string> seen;
      for (const auto& image : body_) {
        const std::string id = text_of(image, "id");
        if (!seen.insert(id).second) violate("image-list-visibility", id + " is listed twice");
        if (!visible(image, true)) {
          violate("image-list-visibility", id + " of " + text_of(image, "owner") + " (" + text_of(image, "status") +
                                               (flag_of(image, "public") ? ", public" : ", private") +
                                               ") is listed for " + context_.caller);
        }
      }
    } else if (segments_.size() == 3) {
      if (!body_.is_object() || text_of(body_, "id") != segments_[2]) {
        violate("image-show-visibility", "GET of " + segments_[2] + " answers " +
                                             (body_.is_object() ? "image " + text_of(body_, "id") : body_.dump().substr(0, 80)));
      } else if (!visible(body_, false)) {
        violate("image-show-visibility", segments_[2] + " of " + text_of(body_, "owner") + " (" + text_of(body_, "status") +
                                             ", private) is shown to " + context_.caller);
      }
    }
  }

  // Every account answer but a reset's hides the password.
  void check_passwords() {
    const bool reset = !segments_.empty() && segments_.back() == "reset_ftp_password";
    std::vector<const nlohmann::json*> accounts;
    collect_accounts(body_, accounts);
    for (const auto* account : accounts) {
      const nlohmann::json password = account->value("library_ftp_password", nlohmann::json());
      if (reset && reply_.status == 200 && call_.method == "POST") {
        if (!password.is_string() || password.get<std::string>().empty()) {
          violate("ftp-password-once", "reset_ftp_password answers no password");
        }
      } else if (!password.is_null()) {
        violate("ftp-password-once", text_of(*account, "id") + "'s FTP password shown by " + call_.method + " " + call_.path);
      }
    }
  }

  void check_registration() {
    const bool registration = call_.method == "POST" && segments_.size() == 2 && segments_[1] == "images";
    if (!registration || reply_.status != 201) return;
    if (!body_.is_object()) {
      violate("registration-answer", "the 201 is not an image");
      return;
    }
    const auto request = nlohmann::json::parse(call_.body, nullptr, /*allow_exceptions=*/false);
    const bool asked_public = request.is_object() && request.value("public", nlohmann::json(false)) == true;
    std::string problems;
    if (text_of(body_, "status") != "creating") problems += " status " + body_.value("status", nlohmann::json()).dump();
    if (!context_.caller.empty() && text_of(body_, "owner") != context_.caller) {
      problems += " owner " + body_.value("owner", nlohmann::json()).dump() + " (the caller is " + context_.caller + ")";
    }
    if (body_.value("public", nlohmann::json()) != asked_public) {
      problems += " public " + body_.value("public", nlohmann::json()).dump() + " (asked " + (asked_public ? "true" : "false") + ")";
    }
    if (!problems.empty()) violate("registration-answer", text_of(body_, "id") + ":" + problems);
    const auto stamp = Timestamp::parse_iso8601(text_of(body_, "created_at"));
    if (stamp && context_.started && *stamp < *context_.started - kClockSkew) {
      violate("made-within-run", text_of(body_, "id") + " made by this call is stamped " + text_of(body_, "created_at") +
                                     ", before the call (" + context_.started->iso8601() + ")");
    }
  }

  static void collect_accounts(const nlohmann::json& value, std::vector<const nlohmann::json*>& out) {
    if (value.is_array()) {
      for (const auto& element : value) collect_accounts(element, out);
    } else if (value.is_object()) {
      if (text_of(value, "resource_type") == "account") out.push_back(&value);
      for (const auto& [key, child] : value.items()) collect_accounts(child, out);
    }
  }

  void check_snapshot_link() {
    const bool snapshot = call_.method == "POST" && segments_.size() == 4 && segments_[1] == "servers" &&
                          segments_[3] == "snapshot";
    if (!snapshot || reply_.status != 202) return;
    auto link = reply_.headers.find("link");
    std::smatch m;
    if (link == reply_.headers.end() || !std::regex_match(link->second, m, kSnapshotLink)) {
      violate("snapshot-link", "Link is " + (link == reply_.headers.end() ? std::string("missing") : "\"" + link->second + "\""));
    } else if (api_base_ && m[1].str() != *api_base_) {
      violate("snapshot-link", "Link " + link->second + " is not under the run's API base " + *api_base_);
    }
  }

  const ApiCall& call_;
  const ApiReply& reply_;
  const AnswerContext& context_;
  std::optional<std::string>& api_base_;
  std::vector<std::string>& violations_;
  const std::vector<std::string> segments_;
  nlohmann::json body_ = nlohmann::json(nlohmann::json::value_t::discarded);
};

}  // namespace

const std::vector<InvariantInfo>& answer_invariants() { return kInvariants; }

void AnswerInvariants::check(const ApiCall& call, const ApiReply& reply, const AnswerContext& context,
                             std::vector<std::string>& violations) {
  Check(call, reply, context, api_base_, violations).run();
}

}  // namespace imagelib::conformance
