// The remote target against `imagelib serve` on 127.0.0.1: the whole
// scenario suite passes (or is skipped for a feature the config does not
// declare), names carry the run's prefix on the deployment and not in the
// answers, and cleanup removes what the run made and nothing else.
#include "conformance/remote_target.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "conformance/direct_target.h"
#include "conformance/runner.h"
#include "conformance/scenario.h"
#include "conformance/serve_fixture.h"
#include "conformance/target_spec.h"
#include "net/tls_context.h"
#include "reference/base/blob.h"

namespace imagelib::conformance {
namespace {

namespace asio = boost::asio;

const std::filesystem::path kScenarios = IMAGELIB_SOURCE_DIR "/scenarios";
const std::string kPrefix = "imagelib-conformance-";

std::unique_ptr<ServeFixture> start_serve(std::vector<OfficialImageCall> official_images = {},
                                          bool dedicated_accounts = true) {
  ServeFixtureOptions options;
  options.binary = IMAGELIB_BINARY;
  options.official_images = std::move(official_images);
  options.dedicated_accounts = dedicated_accounts;
  auto fixture = ServeFixture::start(options);
  EXPECT_TRUE(fixture.ok()) << fixture.status().message();
  return fixture.ok() ? std::move(*fixture) : nullptr;
}

// The deployment as a user sees it, without the target in between.
class Deployment {
 public:
  explicit Deployment(const ServeFixture& fixture)
      : config_(load_remote_config(fixture.config_path()).value()),
        tls_(net::make_client_tls_context(std::nullopt).value()),
        api_(config_.api.base, tls_) {}

  nlohmann::json call(const std::string& role, const std::string& method, const std::string& path,
                      const nlohmann::json& body = nullptr) {
    const auto& account = config_.accounts.at(role);
    EXPECT_EQ(api_.request_token(account.client_id, account.secret).value().status, 200);
    auto reply = api_.call(method, path, body);
    EXPECT_TRUE(reply.ok()) << reply.status().message();
    return reply.ok() ? reply->body : nlohmann::json();
  }
  std::string account_id(const std::string& role) { return call(role, "GET", "/1.0/account")["id"]; }

  // Logs in with a fresh password and runs the operations; the outcomes after the login's.
  std::vector<FtpClientOutcome> ftp(const std::string& role, std::vector<FtpClientOperation> operations) {
    const std::string account = account_id(role);
    const auto reset = call(role, "POST", "/1.0/accounts/" + account + "/reset_ftp_password");
    FtpClientOptions options{account, reset["library_ftp_password"].get<std::string>()};
    const asio::ip::tcp::endpoint server(asio::ip::make_address(config_.ftps.host), config_.ftps.port);
    auto outcomes = net::run_ftps_operations(server, tls_, options, std::move(operations)).value();
    EXPECT_TRUE(outcomes.at(0).ok) << outcomes.at(0).reply_text;
    outcomes.erase(outcomes.begin());
    return outcomes;
  }
  std::vector<std::string> incoming(const std::string& role) {
    const auto listed = ftp(role, {FtpListOperation{"/incoming", FtpListingKind::kNlst}}).at(0);
    std::vector<std::string> names;
    std::istringstream lines(std::string(listed.data.begin(), listed.data.end()));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) names.push_back(line.substr(line.rfind('/') + 1));
    }
    return names;
  }
  std::vector<std::string> image_names(const std::string& role) {
    std::vector<std::string> names;
    for (const auto& image : call(role, "GET", "/1.0/images")) {
      if (!image.value("official", false)) names.push_back(image.value("name", ""));
    }
    return names;
  }

 private:
  RemoteConfig config_;
  asio::ssl::context tls_;
  net::ApiClient api_;
};

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

TEST(RemoteTarget, TheWholeScenarioSuitePassesAgainstServe) {
  auto official = official_images_in_scenarios(kScenarios);
  ASSERT_TRUE(official.ok()) << official.status().message();
  // Not dedicated: the accounts hold what others made before the run.
  auto serve = start_serve(std::move(*official), /*dedicated_accounts=*/false);
  ASSERT_TRUE(serve);
  const std::set<std::string> declared = load_remote_config(serve->config_path()).value().features;

  // What others keep on the accounts: a file in incoming/ and an image.
  Deployment deployment(*serve);
  const auto content = std::make_shared<MemoryBlob>();
  ASSERT_TRUE(content->write_at(0, Bytes(4096, 7)).ok());
  for (const char* name : {"/incoming/theirs.img", "/incoming/kept.img"}) {
    ASSERT_EQ(deployment.ftp("main", {FtpUploadOperation{name, content}}).at(0).reply_code, 226);
  }
  EXPECT_EQ(deployment.call("main", "POST", "/1.0/images",
                            {{"arch", "x86_64"}, {"source", "theirs.img"}, {"name", "their image"}})
                .value("status", ""),
            "creating");

  std::size_t passed = 0;
  std::size_t skipped = 0;
  for (const auto& file : find_scenario_files(kScenarios)) {
    auto scenario = load_scenario(file);
    ASSERT_TRUE(scenario.ok()) << scenario.status().message();
    auto target = make_target(serve->target_spec());
    ASSERT_TRUE(target.ok()) << target.status().message();
    DirectTarget model;
    const ScenarioResult result = run_scenario(*scenario, **target, &model);
    if (result.outcome == Outcome::kSkipped) {
      ++skipped;
      // Skipped only for a feature the config does not declare, and the reason says which.
      bool named = false;
      for (const auto& feature : scenario->requires_features) {
        if (declared.count(feature) == 0 && result.skip_reason.find("\"" + feature + "\"") != std::string::npos) {
          named = true;
        }
      }
      EXPECT_TRUE(named) << file << ": " << result.skip_reason;
      continue;
    }
    std::string failures;
    for (const auto& step : result.steps) {
      for (const auto& failure : step.failures) {
        failures += "\n  step " + std::to_string(step.number) + " " + step.summary + ": " + failure;
      }
    }
    EXPECT_EQ(result.outcome, Outcome::kPassed) << file << failures;
    if (result.outcome == Outcome::kPassed) ++passed;
  }
  EXPECT_GE(passed, 60u);
  EXPECT_GE(skipped, 1u);  // register-http-url: serve does not declare http_url

  // Cleanup removed every prefixed image and file and kept the others'.
  for (const std::string role : {"main", "alt"}) {
    for (const auto& name : deployment.image_names(role)) EXPECT_NE(name.rfind(kPrefix, 0), 0u) << name;
    for (const auto& name : deployment.incoming(role)) EXPECT_NE(name.rfind(kPrefix, 0), 0u) << name;
  }
  EXPECT_TRUE(contains(deployment.image_names("main"), "their image"));
  EXPECT_TRUE(contains(deployment.incoming("main"), "kept.img"));
  EXPECT_TRUE(serve->stop().ok()) << serve->log();
}

TEST(RemoteTarget, NamesCarryThePrefixOnTheDeploymentOnly) {
  auto serve = start_serve();
  ASSERT_TRUE(serve);
  Deployment deployment(*serve);
  auto opened = make_target(serve->target_spec());
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  Target& target = **opened;

  auto reset = target.api("main", {"POST", "/1.0/accounts/" + target.account_id("main") + "/reset_ftp_password"});
  ASSERT_TRUE(reset.ok());
  const auto password = nlohmann::json::parse(reset->body)["library_ftp_password"].get<std::string>();
  FtpCall login;
  login.user = target.account_id("main");
  login.password = password;
  ASSERT_EQ(target.ftp("main", login).value().code, 230);
  FtpCall put;
  put.op = FtpOp::kPut;
  put.path = "/incoming/a.img";
  put.content = Bytes(1024, 1);
  ASSERT_EQ(target.ftp("main", put).value().code, 226);
  EXPECT_TRUE(contains(deployment.incoming("main"), kPrefix + "a.img"));

  auto registered = target.api("main", {"POST", "/1.0/images", R"({"arch":"x86_64","source":"a.img","name":"mine"})"});
  ASSERT_TRUE(registered.ok());
  ASSERT_EQ(registered->status, 201) << registered->body;
  const auto image = nlohmann::json::parse(registered->body);
  EXPECT_EQ(image["name"], "mine");
  EXPECT_EQ(image["source"], "a.img");
  EXPECT_TRUE(contains(deployment.image_names("main"), kPrefix + "mine"));

  opened->reset();  // the run ends: its image goes
  EXPECT_FALSE(contains(deployment.image_names("main"), kPrefix + "mine"));
  EXPECT_TRUE(serve->stop().ok()) << serve->log();
}

TEST(RemoteTarget, AnUnreachableOrMisconfiguredDeploymentIsAClearError) {
  EXPECT_NE(make_target("remote:/nonexistent/deploy.json").status().message().find("/nonexistent/deploy.json"),
            std::string::npos);
  auto serve = start_serve();
  ASSERT_TRUE(serve);
  auto config = load_remote_config(serve->config_path()).value();
  // Without account ids the target asks the API for them.
  const std::string main_account = config.accounts["main"].account_id.value();
  config.accounts["main"].account_id.reset();
  const auto without_ids = serve->folder() / "without-ids.json";
  std::ofstream(without_ids) << to_json(config).dump();
  auto asked = make_target("remote:" + without_ids.string());
  ASSERT_TRUE(asked.ok()) << asked.status().message();
  EXPECT_EQ((*asked)->account_id("main"), main_account);
  asked->reset();

  config.accounts["alt"].secret = "wrong";
  const auto path = serve->folder() / "wrong-secret.json";
  std::ofstream(path) << to_json(config).dump();
  const auto opened = make_target("remote:" + path.string());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("accounts.alt: token request failed: 401"), std::string::npos)
      << opened.status().message();
}

}  // namespace
}  // namespace imagelib::conformance
