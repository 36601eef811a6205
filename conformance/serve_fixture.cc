#include "conformance/serve_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "conformance/content.h"
#include "conformance/scenario.h"

extern char** environ;

namespace imagelib::conformance {
namespace {

constexpr auto kStopGrace = std::chrono::seconds(20);

Status write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) return Status(ErrorCode::kInternal, "cannot write " + path.string());
  return {};
}

// One line from `fd` without its newline; nullopt at the end of the stream.
std::optional<std::string> read_line(int fd) {
  std::string line;
  char c = 0;
  while (true) {
    const ssize_t got = ::read(fd, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return line.empty() ? std::nullopt : std::optional<std::string>(line);
    if (c == '\n') return line;
    line.push_back(c);
  }
}

struct Listener {
  std::string scheme;
  std::string host;
  std::string port;
};

struct Client {
  std::string id;
  std::string secret;
  std::string account;
};

}  // namespace

Result<std::unique_ptr<ServeFixture>> ServeFixture::start(const ServeFixtureOptions& options) {
  std::unique_ptr<ServeFixture> fixture(new ServeFixture());
  std::string pattern = (std::filesystem::temp_directory_path() / "imagelib-remote-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status(ErrorCode::kInternal, "cannot make a temporary folder");
  }
  fixture->folder_ = pattern;
  IMAGELIB_RETURN_IF_ERROR(fixture->write_accounts_file(options));
  IMAGELIB_RETURN_IF_ERROR(fixture->launch(options));
  return fixture;
}

ServeFixture::~ServeFixture() {
  (void)stop();
  std::error_code ignored;
  if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
}

Status ServeFixture::write_accounts_file(const ServeFixtureOptions& options) {
  nlohmann::json images = nlohmann::json::array();
  for (std::size_t i = 0; i < options.official_images.size(); ++i) {
    const OfficialImageCall& image = options.official_images[i];
    const auto file = folder_ / ("official-" + std::to_string(i) + ".img");
    IMAGELIB_RETURN_IF_ERROR(
        write_file(file, std::string(image.content.begin(), image.content.end())));
    nlohmann::json entry = {{"name", image.name},
                            {"file", file.string()},
                            {"arch", image.arch},
                            {"compatibility_mode", image.compatibility_mode}};
    if (image.min_ram) entry["min_ram"] = *image.min_ram;
    images.push_back(entry);
  }
  const nlohmann::json accounts = {
      {"accounts",
       {{{"name", "main"}, {"clients", {nlohmann::json::object()}}},
        {{"name", "alt"}, {"clients", {nlohmann::json::object()}}}}},
      {"official_images", images}};
  return write_file(folder_ / "accounts.json", accounts.dump(2));
}

Status ServeFixture::launch(const ServeFixtureOptions& options) {
  std::vector<std::string> args = {options.binary,
                                   "serve",
                                   "--listen",
                                   "127.0.0.1",
                                   "--ftp-port",
                                   "0",
                                   "--api-port",
                                   "0",
                                   "--seed",
                                   "1",
                                   "--data-dir",
                                   (folder_ / "data").string(),
                                   "--accounts",
                                   (folder_ / "accounts.json").string(),
                                   "--job-seconds",
                                   std::to_string(options.job_seconds),
                                   "--token-seconds",
                                   std::to_string(options.token_seconds)};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return Status(ErrorCode::kInternal, "pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  const std::string log_path = (folder_ / "serve.log").string();
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int spawned = ::posix_spawn(&pid_, options.binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];
  if (spawned != 0) {
    pid_ = -1;
    return Status(ErrorCode::kInternal, "cannot start " + options.binary + ": " + std::strerror(spawned));
  }

  // serve prints its listeners, then a line per client, then connection help.
  static const std::regex kListening(R"(^listening (api|ftp) (\S+) (\S+) (\d+)$)");
  static const std::regex kClient(R"(^client (\S+) secret (\S+) account (\S+) \((\S+)\)$)");
  std::map<std::string, Listener> listeners;
  std::map<std::string, Client> clients;  // by account name
  while (true) {
    const auto line = read_line(stdout_fd_);
    if (!line) return Status(ErrorCode::kInternal, "imagelib serve exited: " + log());
    std::smatch match;
    if (std::regex_match(*line, match, kListening)) listeners[match[1]] = {match[2], match[3], match[4]};
    if (std::regex_match(*line, match, kClient)) clients[match[4]] = {match[1], match[2], match[3]};
    if (line->rfind("# upload", 0) == 0) break;
  }
  if (listeners.count("api") == 0 || listeners.count("ftp") == 0 || clients.count("main") == 0 ||
      clients.count("alt") == 0) {
    return Status(ErrorCode::kInternal, "imagelib serve did not print its listeners and clients");
  }

  std::set<std::string> features = options.features;
  if (!options.official_images.empty()) features.insert("official_images");
  const nlohmann::json tls = {{"ca_file", (folder_ / "data" / "tls" / "cert.pem").string()},
                              {"server_name", "localhost"}};
  nlohmann::json accounts = nlohmann::json::object();
  for (const auto& [role, client] : clients) {
    if (role == "main" || role == "alt") {
      accounts[role] = {{"client_id", client.id}, {"secret", client.secret}, {"account_id", client.account}};
    }
  }
  const nlohmann::json config = {
      {"name_prefix", "imagelib-conformance-"},
      {"ftps", {{"host", listeners["ftp"].host}, {"port", std::stoi(listeners["ftp"].port)}, {"tls", tls}}},
      {"api",
       {{"url", listeners["api"].scheme + "://" + listeners["api"].host + ":" + listeners["api"].port},
        {"tls", tls}}},
      {"accounts", accounts},
      {"features", features},
      {"dedicated_accounts", options.dedicated_accounts},
      {"timeouts",
       {{"poll_seconds", 0.02},
        {"call_seconds", 30},
        {"job_seconds", 30},
        {"token_expiry_wait_seconds", options.token_seconds + 2}}}};
  config_path_ = (folder_ / "remote.json").string();
  return write_file(config_path_, config.dump(2));
}

std::string ServeFixture::log() const {
  std::ifstream in(folder_ / "serve.log", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Status ServeFixture::stop() {
  if (pid_ <= 0) return {};
  const pid_t pid = pid_;
  pid_ = -1;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  stdout_fd_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status(ErrorCode::kInternal, "imagelib serve did not exit cleanly: " + log());
  }
  return {};
}

Result<std::vector<OfficialImageCall>> official_images_in_scenarios(const std::filesystem::path& root) {
  std::vector<OfficialImageCall> images;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& file : find_scenario_files(root)) {
    auto scenario = load_scenario(file);
    if (!scenario.ok()) return scenario.status();
    for (const auto& step : scenario->steps) {
      if (!step.contains("setup")) continue;
      const auto& spec = step["setup"]["official_image"];
      OfficialImageCall call;
      call.name = spec["name"];
      call.arch = spec.value("arch", "x86_64");
      if (!seen.insert({call.name, call.arch}).second) continue;
      if (spec.contains("min_ram")) call.min_ram = spec["min_ram"].get<std::uint32_t>();
      call.compatibility_mode = spec.value("compatibility_mode", false);
      auto content = make_content(spec["content"], file.parent_path());
      if (!content.ok()) return content.status();
      call.content = std::move(*content);
      images.push_back(std::move(call));
    }
  }
  return images;
}

}  // namespace imagelib::conformance
