// The harness against bugs nobody wrote into the reference: a proxy between
// the harness and `imagelib serve` (and, to order the suite, the reference in
// process) plants one realistic bug at a time in what the service does or
// answers, one per row of the table below, and the bundled scenarios must
// catch each one. The rows cover the blind spots a held-out proxy found:
// lists checked only where a scenario looks, answers echoed but not stored,
// authentication checked on one endpoint, headers and undeclared fields.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>

#include "conformance/direct_target.h"
#include "conformance/mutant_hunt.h"
#include "conformance/serve_fixture.h"
#include "conformance/target_spec.h"

namespace imagelib::conformance {
namespace {

using json = nlohmann::json;
const std::filesystem::path kScenarios = IMAGELIB_SOURCE_DIR "/scenarios";

// A planted bug: answers `call` through `service`, wrongly. `seen` holds
// every image record the proxy has passed on so far.
using Plant = std::function<Result<ApiReply>(Target& service, const std::string& role, const ApiCall& call,
                                             std::map<std::string, json>& seen)>;

class PlantedTarget final : public Target {
 public:
  PlantedTarget(std::unique_ptr<Target> service, Plant plant)
      : service_(std::move(service)), plant_(std::move(plant)) {}

  std::string name() const override { return service_->name() + "+planted"; }
  std::set<std::string> features() const override { return service_->features(); }
  std::string account_id(const std::string& role) const override { return service_->account_id(role); }
  Result<ApiReply> api(const std::string& role, const ApiCall& call) override {
    auto reply = plant_(*service_, role, call, seen_);
    if (reply.ok()) remember(json::parse(reply->body, nullptr, false));
    return reply;
  }
  Result<FtpReply> ftp(const std::string& role, const FtpCall& call) override { return service_->ftp(role, call); }
  Result<std::string> add_official_image(const OfficialImageCall& call) override {
    return service_->add_official_image(call);
  }
  void advance(Duration duration) override { service_->advance(duration); }
  Duration poll_interval() const override { return service_->poll_interval(); }
  std::optional<Timestamp> now() const override { return service_->now(); }
  bool dedicated_accounts() const override { return service_->dedicated_accounts(); }

 private:
  void remember(const json& value) {
    if (value.is_array()) {
      for (const auto& element : value) remember(element);
    } else if (value.is_object() && value.value("resource_type", "") == "image" && value.contains("status")) {
      seen_[value["id"].get<std::string>()] = value;
    }
  }

  std::unique_ptr<Target> service_;
  Plant plant_;
  std::map<std::string, json> seen_;
};

bool is_list(const ApiCall& call) { return call.method == "GET" && call.path.substr(0, call.path.find('?')) == "/1.0/images"; }
bool is_show(const ApiCall& call) {
  return call.method == "GET" && call.path.rfind("/1.0/images/img-", 0) == 0 && call.path.find('/', 16) == std::string::npos;
}
bool is_update(const ApiCall& call) {
  return call.method == "PUT" && call.path.rfind("/1.0/images/img-", 0) == 0 && call.path.find('/', 16) == std::string::npos;
}

// Rewrites the JSON body of a successful answer to `applies`.
Plant rewrite_body(std::function<bool(const ApiCall&)> applies, std::function<void(json&, const std::string&)> edit) {
  return [=](Target& service, const std::string& role, const ApiCall& call, std::map<std::string, json>&) {
    auto reply = service.api(role, call);
    if (!reply.ok() || reply->status >= 300 || !applies(call)) return reply;
    json body = json::parse(reply->body, nullptr, false);
    if (body.is_discarded()) return reply;
    edit(body, service.account_id(role));
    reply->body = body.dump();
    return reply;
  };
}

Plant rewrite_reply(std::function<void(const ApiCall&, ApiReply&)> edit) {
  return [=](Target& service, const std::string& role, const ApiCall& call, std::map<std::string, json>&) {
    auto reply = service.api(role, call);
    if (reply.ok()) edit(call, *reply);
    return reply;
  };
}

struct PlantedBug {
  std::string name;
  std::string blind_spot;
  Plant plant;
};

std::vector<PlantedBug> planted_bugs() {
  return {
      {"list-leaks-a-private-image", "lists",
       rewrite_body(is_list, [](json& list, const std::string&) {
         if (list.empty()) return;
         json leaked = list.back();
         leaked["id"] = "img-zz9zz";
         leaked["owner"] = "acc-zz9zz";
         leaked["public"] = false;
         leaked["official"] = false;
         leaked["url"] = leaked.value("url", "").substr(0, leaked.value("url", "").rfind('/') + 1) + "img-zz9zz";
         list.push_back(leaked);
       })},
      {"list-repeats-an-entry", "lists",
       rewrite_body(is_list, [](json& list, const std::string&) {
         if (!list.empty()) list.push_back(list.front());
       })},
      {"list-drops-failed-images", "lists",
       rewrite_body(is_list, [](json& list, const std::string&) {
         json kept = json::array();
         for (const auto& image : list) {
           if (image.value("status", "") != "failed") kept.push_back(image);
         }
         list = kept;
       })},
      {"list-shows-others-creating-public-images", "lists",
       [](Target& service, const std::string& role, const ApiCall& call, std::map<std::string, json>& seen) {
         auto reply = service.api(role, call);
         if (!reply.ok() || reply->status != 200 || !is_list(call)) return reply;
         json list = json::parse(reply->body);
         for (const auto& [id, image] : seen) {
           if (image["owner"] != service.account_id(role) && image.value("public", false) &&
               image.value("status", "") == "creating") {
             list.push_back(image);
           }
         }
         reply->body = list.dump();
         return reply;
       }},
      {"update-echoes-a-description-it-drops", "echo, not state",
       [](Target& service, const std::string& role, const ApiCall& call, std::map<std::string, json>&) {
         json request = json::parse(call.body.empty() ? "{}" : call.body, nullptr, false);
         if (!is_update(call) || !request.is_object() || !request.contains("description")) return service.api(role, call);
         ApiCall dropped = call;
         const json description = request["description"];
         request.erase("description");
         dropped.body = request.dump();
         auto reply = service.api(role, dropped);
         if (reply.ok() && reply->status == 200) {
           json body = json::parse(reply->body);
           body["description"] = description;
           reply->body = body.dump();
         }
         return reply;
       }},
      {"update-drops-the-lock", "echo, not state",
       [](Target& service, const std::string& role, const ApiCall& call, std::map<std::string, json>&) {
         auto reply = service.api(role, call);
         if (reply.ok() && reply->status == 200 && is_update(call)) {
           ApiCall unlock{"PUT", call.path + "/unlock_resource", "", {}, ApiAuth::kToken};
           (void)service.api(role, unlock);
         }
         return reply;
       }},
      {"lock-skips-authentication", "authentication",
       [](Target& service, const std::string& role, const ApiCall& call, std::map<std::string, json>&) {
         ApiCall trusted = call;
         if (call.path.find("/lock_resource") != std::string::npos) trusted.auth = ApiAuth::kToken;
         return service.api(role, trusted);
       }},
      {"others-may-reset-a-password", "authentication",
       [](Target& service, const std::string& role, const ApiCall& call, std::map<std::string, json>&) {
         // The account in the path is trusted over the token's.
         for (const std::string owner : {"main", "alt"}) {
           if (owner != role && call.path == "/1.0/accounts/" + service.account_id(owner) + "/reset_ftp_password") {
             return service.api(owner, call);
           }
         }
         return service.api(role, call);
       }},
      {"servers-answer-text-html", "headers",
       rewrite_reply([](const ApiCall& call, ApiReply& reply) {
         if (call.path.rfind("/1.0/servers", 0) == 0) reply.headers["content-type"] = "text/html";
       })},
      {"401-without-a-challenge", "headers",
       rewrite_reply([](const ApiCall&, ApiReply& reply) { reply.headers.erase("www-authenticate"); })},
      {"snapshot-without-link", "headers",
       rewrite_reply([](const ApiCall& call, ApiReply& reply) {
         if (call.path.find("/snapshot") != std::string::npos) reply.headers.erase("link");
       })},
      {"show-adds-an-undeclared-field", "fields",
       rewrite_body(is_show, [](json& image, const std::string&) { image["storage_path"] = "/srv/images/" + image.value("id", ""); })},
      {"show-stamps-local-time", "fields",
       rewrite_body(is_show, [](json& image, const std::string&) { image["created_at"] = "2026-12-04T04:00:00+01:00"; })},
      {"list-urls-of-an-internal-host", "fields",
       rewrite_body(is_list, [](json& list, const std::string&) {
         for (auto& image : list) image["url"] = "http://images.internal:8080/1.0/images/" + image.value("id", "");
       })},
      {"account-shows-the-ftp-password", "fields",
       rewrite_body([](const ApiCall& call) { return call.method == "GET" && call.path == "/1.0/account"; },
                    [](json& account, const std::string&) { account["library_ftp_password"] = "hunter2hunter2"; })},
  };
}

const std::vector<Scenario>& bundled_scenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> loaded;
    for (const auto& path : find_scenario_files(kScenarios)) {
      auto scenario = load_scenario(path);
      if (scenario.ok()) loaded.push_back(std::move(*scenario));
      else ADD_FAILURE() << scenario.status().message();
    }
    return cheapest_first(std::move(loaded));
  }();
  return scenarios;
}

class PlantedBugs : public ::testing::TestWithParam<PlantedBug> {
 protected:
  static void SetUpTestSuite() {
    auto official_images = official_images_in_scenarios(kScenarios);
    ASSERT_TRUE(official_images.ok()) << official_images.status().message();
    ServeFixtureOptions options;
    options.binary = IMAGELIB_BINARY;
    options.official_images = std::move(*official_images);
    auto fixture = ServeFixture::start(options);
    ASSERT_TRUE(fixture.ok()) << fixture.status().message();
    serve_ = std::move(*fixture);
  }
  static void TearDownTestSuite() {
    if (serve_) {
      EXPECT_TRUE(serve_->stop().ok()) << serve_->log();
    }
    serve_.reset();
  }
  static std::unique_ptr<ServeFixture> serve_;
};
std::unique_ptr<ServeFixture> PlantedBugs::serve_;

TEST_P(PlantedBugs, IsCaughtThroughTheRemoteTarget) {
  ASSERT_TRUE(serve_);
  const PlantedBug& bug = GetParam();
  // In process first, to learn which scenario to play first on serve.
  auto in_process = first_failing_scenario(bundled_scenarios(), [&]() -> Result<std::unique_ptr<Target>> {
    return std::unique_ptr<Target>(std::make_unique<PlantedTarget>(std::make_unique<DirectTarget>(), bug.plant));
  });
  ASSERT_TRUE(in_process.ok()) << in_process.status().message();
  const std::string first = in_process->has_value() ? (*in_process)->scenario : "";
  auto caught = first_failing_scenario(with_first(bundled_scenarios(), first), [&]() -> Result<std::unique_ptr<Target>> {
    auto remote = make_target(serve_->target_spec());
    if (!remote.ok()) return remote.status();
    return std::unique_ptr<Target>(std::make_unique<PlantedTarget>(std::move(*remote), bug.plant));
  });
  ASSERT_TRUE(caught.ok()) << caught.status().message() << "\n" << serve_->log();
  ASSERT_TRUE(caught->has_value()) << "no scenario catches the planted bug " << bug.name;
  std::cout << "planted " << bug.name << " (" << bug.blind_spot << ") caught by " << (*caught)->scenario
            << " step " << (*caught)->step << ": " << (*caught)->failure.substr(0, 200) << "\n";
}

INSTANTIATE_TEST_SUITE_P(Proxy, PlantedBugs, ::testing::ValuesIn(planted_bugs()), [](const auto& param_info) {
  std::string name = param_info.param.name;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
});

}  // namespace
}  // namespace imagelib::conformance
