#include "conformance/remote_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "conformance/name_prefix.h"

namespace imagelib::conformance {
namespace {

nlohmann::json valid_config() {
  return nlohmann::json::parse(R"({
    "name_prefix": "imagelib-conformance-",
    "ftps": {"host": "ftp.example.com", "port": 2121, "tls": {"server_name": "ftp.example.com"}},
    "api": {"url": "https://api.example.com"},
    "accounts": {
      "main": {"client_id": "cli-main1", "secret": "s1", "account_id": "acc-main1"},
      "alt": {"client_id": "cli-alt01", "secret": "s2"}
    },
    "features": ["api", "ftp", "servers"],
    "timeouts": {"poll_seconds": 0.5, "call_seconds": 30}
  })");
}

Result<RemoteConfig> parse(const nlohmann::json& json) { return parse_remote_config(json.dump(), "deploy.json"); }

std::string error_of(const nlohmann::json& json) {
  auto config = parse(json);
  return config.ok() ? "(accepted)" : config.status().message();
}

TEST(RemoteConfig, ReadsEveryField) {
  auto config = parse(valid_config());
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->name_prefix, "imagelib-conformance-");
  EXPECT_EQ(config->ftps.host, "ftp.example.com");
  EXPECT_EQ(config->ftps.port, 2121);
  EXPECT_EQ(config->ftps.tls.server_name, "ftp.example.com");
  EXPECT_FALSE(config->ftps.tls.insecure_skip_verify);
  EXPECT_EQ(config->api.base, "https://api.example.com:443");  // the port filled in
  EXPECT_EQ(config->accounts.at("main").account_id, "acc-main1");
  EXPECT_FALSE(config->accounts.at("alt").account_id.has_value());
  EXPECT_EQ(config->accounts.at("alt").secret, "s2");
  EXPECT_EQ(config->features, (std::set<std::string>{"api", "ftp", "servers"}));
  EXPECT_EQ(config->timeouts.poll_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(config->timeouts.call, std::chrono::seconds(30));
  EXPECT_EQ(config->timeouts.job, std::chrono::seconds(600));  // the default
}

TEST(RemoteConfig, WritesWhatItReadsBack) {
  auto config = parse(valid_config());
  ASSERT_TRUE(config.ok());
  auto again = parse(to_json(*config));
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(to_json(*again), to_json(*config));
}

TEST(RemoteConfig, ErrorsNameTheFileAndTheField) {
  auto json = valid_config();
  json["accounts"]["alt"].erase("secret");
  EXPECT_EQ(error_of(json), "deploy.json: accounts.alt.secret: give exactly one of secret and secret_env");

  json = valid_config();
  json.erase("name_prefix");
  EXPECT_EQ(error_of(json), "deploy.json: name_prefix: missing");

  json = valid_config();
  json["name_prefix"] = "bad prefix/";
  EXPECT_NE(error_of(json).find("deploy.json: name_prefix: 3 to 64 letters"), std::string::npos);

  json = valid_config();
  json["ftps"]["port"] = 70000;
  EXPECT_EQ(error_of(json), "deploy.json: ftps.port: must be a port number (1-65535)");

  json = valid_config();
  json["api"]["url"] = "https://api.example.com/v1";
  EXPECT_NE(error_of(json).find("deploy.json: api.url: must be http(s)://host[:port]"), std::string::npos);

  json = valid_config();
  json["api"]["tls"] = {{"ca_file", "/nonexistent/ca.pem"}};
  EXPECT_EQ(error_of(json), "deploy.json: api.tls.ca_file: no such file: /nonexistent/ca.pem");

  json = valid_config();
  json["features"].push_back("teleport");
  EXPECT_NE(error_of(json).find("deploy.json: features[3]: unknown feature \"teleport\""), std::string::npos);

  json = valid_config();
  json["features"].push_back("simulation");
  EXPECT_EQ(error_of(json), "deploy.json: features[3]: \"simulation\" is declared only by simulated targets");

  json = valid_config();
  json["timeouts"]["poll_seconds"] = -1;
  EXPECT_NE(error_of(json).find("deploy.json: timeouts.poll_seconds: must be a number of seconds"),
            std::string::npos);

  json = valid_config();
  json["ftps"]["passive"] = true;
  EXPECT_EQ(error_of(json), "deploy.json: ftps.passive: unknown field");

  json = valid_config();
  json["accounts"]["alt"]["client_id"] = "cli-main1";
  EXPECT_EQ(error_of(json), "deploy.json: accounts.alt.client_id: must differ from main's: the checks need two accounts");

  EXPECT_EQ(parse_remote_config("{", "deploy.json").status().message(), "deploy.json: not valid JSON");
}

TEST(RemoteConfig, SecretsMayComeFromTheEnvironment) {
  auto json = valid_config();
  json["accounts"]["alt"].erase("secret");
  json["accounts"]["alt"]["secret_env"] = "IMAGELIB_REMOTE_CONFIG_TEST_SECRET";
  ::unsetenv("IMAGELIB_REMOTE_CONFIG_TEST_SECRET");
  EXPECT_EQ(error_of(json),
            "deploy.json: accounts.alt.secret_env: the environment variable "
            "IMAGELIB_REMOTE_CONFIG_TEST_SECRET is not set");
  ::setenv("IMAGELIB_REMOTE_CONFIG_TEST_SECRET", "from-env", 1);
  auto config = parse(json);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->accounts.at("alt").secret, "from-env");
  ::unsetenv("IMAGELIB_REMOTE_CONFIG_TEST_SECRET");
}

TEST(RemoteConfig, CaFilesAreRelativeToTheConfig) {
  const auto folder = std::filesystem::temp_directory_path() / "imagelib-remote-config-test";
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "ca.pem") << "not read until a connection\n";
  auto json = valid_config();
  json["ftps"]["tls"] = {{"ca_file", "ca.pem"}};
  std::ofstream(folder / "deploy.json") << json.dump();
  auto config = load_remote_config((folder / "deploy.json").string());
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->ftps.tls.ca_file, (folder / "ca.pem").string());
  json["ftps"]["tls"]["insecure_skip_verify"] = true;
  std::ofstream(folder / "deploy.json") << json.dump();
  EXPECT_NE(load_remote_config((folder / "deploy.json").string()).status().message().find(
                "set either ca_file or insecure_skip_verify"),
            std::string::npos);
  std::filesystem::remove_all(folder);
}

TEST(RemoteConfig, TheShippedExampleIsValid) {
  ::setenv("IMAGELIB_MAIN_SECRET", "x", 1);
  ::setenv("IMAGELIB_ALT_SECRET", "y", 1);
  auto config = load_remote_config(IMAGELIB_SOURCE_DIR "/conformance/remote.example.json");
  EXPECT_TRUE(config.ok()) << config.status().message();
}

TEST(NamePrefix, MarksWhatRequestsNameAndUnmarksAnswers) {
  const NamePrefix prefix("run-");
  EXPECT_EQ(nlohmann::json::parse(prefix.request_body("POST", "/1.0/images",
                                                      R"({"arch":"x86_64","source":"a.img","name":"A"})")),
            nlohmann::json::parse(R"({"arch":"x86_64","source":"run-a.img","name":"run-A"})"));
  EXPECT_EQ(prefix.request_body("PUT", "/1.0/images/img-12345?account_id=x", R"({"name":"B"})"),
            R"({"name":"run-B"})");
  EXPECT_EQ(prefix.request_body("POST", "/1.0/servers", R"({"image":"img-1","name":"box"})"),
            R"({"image":"img-1","name":"run-box"})");
  // Other requests, and bodies that are not objects, go as written.
  EXPECT_EQ(prefix.request_body("PUT", "/1.0/images/img-1", R"({"description":"d"})"), R"({"description":"d"})");
  EXPECT_EQ(prefix.request_body("POST", "/1.0/images", R"({"name": )"), R"({"name": )");
  EXPECT_EQ(prefix.request_body("GET", "/1.0/images", ""), "");

  EXPECT_EQ(nlohmann::json::parse(prefix.strip_body(R"({"name":"run-a.img 2011","errors":["no run-x"]})")),
            nlohmann::json::parse(R"({"name":"a.img 2011","errors":["no x"]})"));
  EXPECT_EQ(prefix.strip_body("550 run-a.img: no"), "550 a.img: no");
  EXPECT_TRUE(prefix.marks("run-x"));
  EXPECT_FALSE(prefix.marks("x-run-"));
}

TEST(NamePrefix, PrefixesFileNamesInIncomingOnly) {
  const NamePrefix prefix("run-");
  EXPECT_EQ(prefix.ftp_path("/incoming/a.img"), "/incoming/run-a.img");
  EXPECT_EQ(prefix.ftp_path("incoming/a.img"), "incoming/run-a.img");
  EXPECT_EQ(prefix.ftp_path("/incoming"), "/incoming");
  EXPECT_EQ(prefix.ftp_path("/images/img-12345"), "/images/img-12345");
  EXPECT_EQ(prefix.ftp_path("/incoming/.."), "/incoming/..");
  EXPECT_EQ(prefix.ftp_path("../../incoming/a.img"), "../../incoming/a.img");
  EXPECT_EQ(prefix.ftp_command("MLST /incoming/a.img"), "MLST /incoming/run-a.img");
  EXPECT_EQ(prefix.ftp_command("mkd /incoming/sub"), "mkd /incoming/run-sub");
  EXPECT_EQ(prefix.ftp_command("CWD /incoming"), "CWD /incoming");
  EXPECT_EQ(prefix.ftp_command("FEAT"), "FEAT");
}

}  // namespace
}  // namespace imagelib::conformance
