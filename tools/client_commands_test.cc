// End-to-end tests of the client commands (accounts, images, servers, ftp)
// against `imagelib serve --seed 8` on 127.0.0.1: the tables and JSON match
// golden files under tools/testdata/ (times, dates and ports normalised;
// IMAGELIB_UPDATE_GOLDEN=1 rewrites them), every command's failure is one
// "ERROR: ..." line with a non-zero exit, and the progress bar shows on a
// terminal and nowhere else.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "tools/cli_process_testing.h"

namespace imagelib::testing {
namespace {

const std::string kBinary = IMAGELIB_BINARY;
constexpr std::uint64_t kSeed = 8;

std::string normalised(std::string text) {
  text = std::regex_replace(text, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z)"),
                            "YYYY-MM-DDTHH:MM:SSZ");
  text = std::regex_replace(text, std::regex(R"(\b\d{4}-\d{2}-\d{2}\b)"), "YYYY-MM-DD");
  text = std::regex_replace(text, std::regex(R"(127\.0\.0\.1:\d+)"), "127.0.0.1:PORT");
  // Snapshot names carry the time they were taken ("19 Dec 12:57").
  text = std::regex_replace(text, std::regex(R"(\b\d{2} [A-Z][a-z]{2} \d{2}:\d{2}\b)"), "DD Mon HH:MM");
  return text;
}

void expect_golden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path = std::filesystem::path(IMAGELIB_SOURCE_DIR) / "tools/testdata" / name;
  const std::string text = normalised(actual);
  if (std::getenv("IMAGELIB_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << text;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "no golden file " << path << " (run with IMAGELIB_UPDATE_GOLDEN=1)";
  const std::string expected((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, expected) << "golden " << name;
}

std::string make_temp_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "imagelib-cli-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return pattern;
}

// A raw disk whose bytes depend only on `size`.
void write_disk(const std::string& path, std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; i += 4096) bytes[i] = static_cast<char>('a' + i / 4096 % 26);
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class ClientCommands : public ::testing::Test {
 protected:
  ClientCommands() : serve_(kBinary, kSeed), dir_(make_temp_dir()) {}
  ~ClientCommands() override { std::filesystem::remove_all(dir_); }

  std::map<std::string, std::string> env() const {
    return {{"IMAGELIB_API", serve_.api_url()},
            {"IMAGELIB_CLIENT_ID", serve_.client_id()},
            {"IMAGELIB_CLIENT_SECRET", serve_.client_secret()},
            {"IMAGELIB_FTP", serve_.ftp_url()},
            {"IMAGELIB_FTP_USER", serve_.account()},
            {"IMAGELIB_FTP_PASSWORD", ftp_password_},
            {"IMAGELIB_INSECURE", "1"}};
  }
  std::vector<std::string> argv(std::vector<std::string> args) const {
    args.insert(args.begin(), kBinary);
    return args;
  }
  ProcessResult imagelib(std::vector<std::string> args) const { return run_process(argv(std::move(args)), env()); }
  // Runs a command that must succeed; its standard output.
  std::string ok(std::vector<std::string> args) const {
    const ProcessResult result = imagelib(args);
    EXPECT_EQ(result.exit_code, 0) << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << result.err;
    return result.out;
  }
  nlohmann::json ok_json(std::vector<std::string> args) const {
    args.push_back("--output");
    args.push_back("json");
    return nlohmann::json::parse(ok(std::move(args)));
  }
  void reset_password() {
    ftp_password_ = ok_json({"accounts", "reset_ftp_password", serve_.account()})["library_ftp_password"];
  }
  // Waits (bounded) until the image leaves `creating`; its final status.
  std::string wait_until_made(const std::string& id) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
      const std::string status = ok_json({"images", "show", id})["status"];
      if (status != "creating" || std::chrono::steady_clock::now() > deadline) return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  ServeProcess serve_;
  std::string dir_;
  std::string ftp_password_;
};

std::string joined(const std::vector<std::string>& args) {
  std::string text;
  for (const auto& arg : args) text += (text.empty() ? "" : " ") + arg;
  return text;
}

void expect_one_error_line(const ProcessResult& result, const std::string& what, const std::string& contains) {
  EXPECT_NE(result.exit_code, 0) << what;
  EXPECT_EQ(result.out, "") << what;
  EXPECT_TRUE(std::regex_match(result.err, std::regex("ERROR: [^\n]+\n"))) << what << ": " << result.err;
  EXPECT_NE(result.err.find(contains), std::string::npos) << what << ": " << result.err;
}

TEST_F(ClientCommands, NewcomerSessionMatchesGoldenTablesAndJson) {
  const ProcessResult reset = imagelib({"accounts", "reset_ftp_password", serve_.account()});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(reset.err, "Reset ftp password for " + serve_.account() + "\n");
  expect_golden("reset_ftp_password.txt", reset.out);
  reset_password();

  write_disk(path("disk.img"), 3 << 20);
  EXPECT_EQ(ok({"ftp", "put", path("disk.img")}), "");
  EXPECT_NE(ok({"ftp", "ls", "incoming"}).find("disk.img"), std::string::npos);

  const std::string registered =
      ok({"images", "register", "-a", "x86_64", "-n", "Test image", "-d", "made by the test", "-s", "disk.img",
          "-u", "ubuntu", "--min-ram", "512"});
  expect_golden("register.txt", registered);
  const std::string image = ok_json({"images", "list", "-t", "upload"})[0]["id"];
  ASSERT_EQ(wait_until_made(image), "available");

  expect_golden("list.txt", ok({"images", "list"}));
  expect_golden("list.json", ok({"images", "list", "--output", "json"}));
  expect_golden("show.txt", ok({"images", "show", image}));
  expect_golden("update_public.txt", ok({"images", "update", image, "--public=true"}));
  expect_golden("update_deprecated.txt", ok({"images", "update", image, "--deprecated=true", "-m", "compatibility"}));
  expect_golden("list_status_deprecated.txt", ok({"images", "list", "-s", "deprecated"}));
  expect_golden("list_official.txt", ok({"images", "list", "-l", "brightbox"}));

  const nlohmann::json server = ok_json({"servers", "create", image, "-n", "web"});
  EXPECT_EQ(server["image"]["id"], image);
  EXPECT_EQ(server["compatibility_mode"], true);
  const std::string server_id = server["id"];
  const std::string snapshot_table = ok({"servers", "snapshot", server_id});
  expect_golden("snapshot.txt", snapshot_table);
  const std::string snapshot = ok_json({"images", "list", "-t", "snapshot"})[0]["id"];
  ASSERT_EQ(wait_until_made(snapshot), "available");
  expect_golden("list_after_snapshot.txt", ok({"images", "list"}));
  expect_golden("servers_list.txt", ok({"servers", "list"}));
  expect_golden("servers_show.txt", ok({"servers", "show", server_id}));
  expect_golden("types_list.txt", ok({"types", "list"}));
  EXPECT_EQ(ok({"server_types", "list"}), ok({"types", "list"}));
  const std::string first_type = ok_json({"types", "list"})[0]["id"];
  expect_golden("types_show.txt", ok({"types", "show", first_type}));
  const ProcessResult missing = imagelib({"servers", "list", server_id, "srv-zzzzz"});
  EXPECT_EQ(missing.exit_code, 0) << missing.err;
  EXPECT_EQ(missing.err, "WARN: Could not find anything with ID srv-zzzzz\n");
  EXPECT_EQ(missing.out, ok({"servers", "list"}));

  // The snapshot's file is the server's disk, which is the uploaded disk.
  EXPECT_EQ(ok({"ftp", "get", "images/" + snapshot, path("snapshot.raw")}), "");
  EXPECT_TRUE(read_file(path("snapshot.raw")) == read_file(path("disk.img")));

  expect_golden("lock.txt", ok({"images", "lock", snapshot}));
  const ProcessResult locked = imagelib({"images", "destroy", snapshot});
  EXPECT_NE(locked.exit_code, 0);
  expect_golden("destroy_locked.err", locked.err);
  ok({"images", "unlock", snapshot});
  ok({"images", "destroy", snapshot});
  EXPECT_EQ(ok_json({"images", "list", "-t", "snapshot"}), nlohmann::json::array());

  const ProcessResult destroyed = imagelib({"servers", "destroy", server_id});
  EXPECT_EQ(destroyed.exit_code, 0) << destroyed.err;
  EXPECT_EQ(destroyed.err, "Destroying server " + server_id + "\n");
  EXPECT_EQ(ok_json({"servers", "list"}), nlohmann::json::array());
  expect_one_error_line(imagelib({"servers", "show", server_id}), "show a destroyed server", server_id + ": ");
}

TEST_F(ClientCommands, FtpResumesUploadsAndDownloads) {
  reset_password();
  write_disk(path("disk.img"), 2 << 20);
  const std::string whole = read_file(path("disk.img"));
  // A first part as an interrupted upload leaves it; put --continue sends the rest.
  std::ofstream(path("part.img"), std::ios::binary) << whole.substr(0, 700000);
  ok({"ftp", "put", path("part.img"), "/incoming/disk.img"});
  ok({"ftp", "put", "--continue", path("disk.img")});
  ok({"ftp", "get", "incoming/disk.img", path("back.img")});
  EXPECT_TRUE(read_file(path("back.img")) == whole);
  // get --continue asks only for what the local file lacks.
  std::ofstream(path("partial.img"), std::ios::binary) << whole.substr(0, 1000000);
  const ProcessResult resumed = imagelib({"ftp", "get", "--continue", "incoming/disk.img", path("partial.img")});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(resumed.err, "Resumed " + path("partial.img") + " at byte 1000000\n");
  EXPECT_TRUE(read_file(path("partial.img")) == whole);

  ok({"ftp", "mv", "incoming/disk.img", "incoming/renamed.img"});
  EXPECT_NE(ok({"ftp", "ls", "incoming"}).find("renamed.img"), std::string::npos);
  ok({"ftp", "rm", "incoming/renamed.img"});
  EXPECT_EQ(ok({"ftp", "ls", "incoming"}).find("renamed.img"), std::string::npos);
}

TEST_F(ClientCommands, EveryCommandFailsWithOneErrorLine) {
  reset_password();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      // bad ids
      {{"accounts", "reset_ftp_password", "nobody"}, "not an account id"},
      {{"images", "show", "img-1"}, "not an image id"},
      {{"images", "update", "srv-12345", "--public=true"}, "not an image id"},
      {{"images", "destroy", "bad"}, "not an image id"},
      {{"images", "lock", "bad"}, "not an image id"},
      {{"images", "unlock", "bad"}, "not an image id"},
      {{"servers", "create", "x"}, "not an image id"},
      {{"servers", "snapshot", "img-12345"}, "not a server id"},
      {{"servers", "show", "img-12345"}, "not a server id"},
      {{"servers", "list", "bad"}, "not a server id"},
      {{"servers", "destroy", "bad"}, "not a server id"},
      {{"types", "show", "2gb.ssd"}, "not a server type id"},
      // ids that do not exist: the API's error, as brightbox-cli prints it
      {{"images", "show", "img-zzzzz"}, "img-zzzzz: "},
      {{"images", "destroy", "img-zzzzz"}, "img-zzzzz: "},
      {{"servers", "snapshot", "srv-zzzzz"}, "srv-zzzzz: "},
      {{"servers", "show", "srv-zzzzz"}, "srv-zzzzz: "},
      {{"servers", "destroy", "srv-zzzzz"}, "srv-zzzzz: "},
      {{"accounts", "reset_ftp_password", "acc-zzzzz"}, "acc-zzzzz: "},
      {{"images", "register", "-a", "x86_64", "-s", "missing.img"}, "ERROR: "},
      {{"ftp", "get", "images/img-zzzzz", path("x")}, "550"},
      {{"ftp", "rm", "incoming/none"}, "550"},
      {{"ftp", "mv", "incoming/none", "incoming/other"}, "550"},
      {{"ftp", "put", path("no-such-file")}, "no-such-file"},
      // missing flags and arguments
      {{"images", "register", "-n", "x", "-s", "disk.img"}, "--arch"},
      {{"images", "register", "-a", "x86_64"}, "'source'"},
      {{"images", "update", "img-12345"}, "nothing to update"},
      {{"images", "update", "img-12345", "--public=maybe"}, "maybe"},
      {{"images", "show"}, "ids"},
      {{"images"}, "subcommand"},
      {{"servers", "create"}, "image"},
      {{"servers", "show"}, "ids"},
      {{"servers", "destroy"}, "ids"},
      {{"types", "show"}, "ids"},
      {{"servers"}, "subcommand"},
      {{"ftp", "mv", "a"}, "to"},
      {{"accounts", "reset_ftp_password"}, "account"},
  };
  for (const auto& [args, contains] : cases) expect_one_error_line(imagelib(args), joined(args), contains);
}

TEST_F(ClientCommands, UnreachableTargetsAndWrongCredentialsGiveOneErrorLine) {
  const std::string closed = std::to_string(closed_loopback_port());
  auto with = [&](std::map<std::string, std::string> overrides) {
    auto vars = env();
    for (auto& [name, value] : overrides) vars[name] = value;
    return vars;
  };
  const auto no_api = with({{"IMAGELIB_API", "https://127.0.0.1:" + closed}});
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"images", "list"}, {"images", "show", "img-12345"},
        {"images", "register", "-a", "x86_64", "-s", "f"}, {"images", "update", "img-12345", "-n", "x"},
        {"images", "destroy", "img-12345"}, {"images", "lock", "img-12345"}, {"images", "unlock", "img-12345"},
        {"servers", "create", "img-12345"}, {"servers", "snapshot", "srv-12345"}, {"servers", "list"},
        {"servers", "show", "srv-12345"}, {"servers", "destroy", "srv-12345"}, {"types", "list"},
        {"accounts", "reset_ftp_password", "acc-12345"}}) {
    expect_one_error_line(run_process(argv(args), no_api), joined(args), "cannot reach the API");
  }
  const auto no_ftp = with({{"IMAGELIB_FTP", "ftps://127.0.0.1:" + closed}, {"IMAGELIB_FTP_PASSWORD", "x"}});
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"ftp", "ls"}, {"ftp", "get", "images/x", path("x")}, {"ftp", "rm", "incoming/x"},
        {"ftp", "mv", "incoming/x", "incoming/y"}}) {
    expect_one_error_line(run_process(argv(args), no_ftp), joined(args), "cannot reach the FTPS server");
  }
  expect_one_error_line(run_process(argv({"images", "list"}), with({{"IMAGELIB_CLIENT_SECRET", "wrong"}})),
                        "wrong secret", "invalid_client");
  expect_one_error_line(run_process(argv({"ftp", "ls"}), with({{"IMAGELIB_FTP_PASSWORD", "wrong"}})),
                        "wrong FTP password", "530");
  expect_one_error_line(run_process(argv({"images", "list"}), with({{"IMAGELIB_API", "nonsense"}})), "bad URL",
                        "--api must be");
  auto no_insecure = env();
  no_insecure.erase("IMAGELIB_INSECURE");
  expect_one_error_line(run_process(argv({"images", "list"}), no_insecure), "self-signed without -k",
                        "cannot reach the API");
}

TEST_F(ClientCommands, ProgressBarShowsOnATerminalOnly) {
  reset_password();
  write_disk(path("big.img"), 8 << 20);
  const ProcessResult on_terminal = run_on_terminal(argv({"ftp", "put", path("big.img")}), env());
  EXPECT_EQ(on_terminal.exit_code, 0) << on_terminal.out;
  EXPECT_TRUE(std::regex_search(on_terminal.out, std::regex(R"(put big\.img \[#+\] 100%  8\.0 MiB/8\.0 MiB  [0-9.]+ [KMG]?i?B/s  in \d+:\d\d)")))
      << on_terminal.out;

  const ProcessResult piped = imagelib({"ftp", "put", path("big.img")});
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.err, "");
  const ProcessResult quiet = run_on_terminal(argv({"ftp", "put", "-q", path("big.img")}), env());
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out, "");

  const ProcessResult download = run_on_terminal(argv({"ftp", "get", "incoming/big.img", path("back.img")}), env());
  EXPECT_EQ(download.exit_code, 0) << download.out;
  EXPECT_NE(download.out.find("get big.img ["), std::string::npos) << download.out;
  EXPECT_NE(download.out.find("100%"), std::string::npos) << download.out;

  const ProcessResult convert =
      run_on_terminal(argv({"convert", "-p", "-O", "qcow2", path("big.img"), path("big.qcow2")}), env());
  EXPECT_EQ(convert.exit_code, 0) << convert.out;
  EXPECT_NE(convert.out.find("convert ["), std::string::npos) << convert.out;
  const ProcessResult convert_piped = imagelib({"convert", "-p", "-O", "raw", path("big.qcow2"), path("again.img")});
  EXPECT_EQ(convert_piped.exit_code, 0);
  EXPECT_EQ(convert_piped.err, "");
  EXPECT_TRUE(read_file(path("again.img")) == read_file(path("big.img")));
}

TEST(ClientCli, VersionHelpAndCompletion) {
  const ProcessResult version = run_process({kBinary, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_TRUE(std::regex_match(version.out, std::regex(R"(imagelib \d+\.\d+\.\d+\n)"))) << version.out;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"images", "list", "--help"}, {"images", "register", "--help"},
        {"ftp", "put", "--help"}, {"servers", "snapshot", "--help"}, {"servers", "list", "--help"},
        {"types", "list", "--help"}, {"accounts", "reset_ftp_password", "--help"}}) {
    std::vector<std::string> full{kBinary};
    full.insert(full.end(), args.begin(), args.end());
    const ProcessResult help = run_process(full);
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("Usage"), std::string::npos) << args[0];
    EXPECT_NE(help.out.find("--quiet"), std::string::npos) << args[0];
  }
  // The completion script, sourced by bash, completes commands and options.
  const std::string dir = make_temp_dir();
  const ProcessResult script = run_process({kBinary, "completion", "bash"});
  ASSERT_EQ(script.exit_code, 0);
  std::ofstream(dir + "/imagelib.bash") << script.out;
  const std::string probe =
      "source " + dir + "/imagelib.bash; "
      "COMP_WORDS=(imagelib ima); COMP_CWORD=1; _imagelib; echo \"${COMPREPLY[*]}\"; "
      "COMP_WORDS=(imagelib images l); COMP_CWORD=2; _imagelib; echo \"${COMPREPLY[*]}\"; "
      "COMP_WORDS=(imagelib images list --sh); COMP_CWORD=3; _imagelib; echo \"${COMPREPLY[*]}\"; "
      "COMP_WORDS=(imagelib ftp put -); COMP_CWORD=3; _imagelib; echo \"${COMPREPLY[*]}\"";
  const ProcessResult completed = run_process({"/bin/bash", "-c", probe});
  std::filesystem::remove_all(dir);
  ASSERT_EQ(completed.exit_code, 0) << completed.err;
  std::istringstream lines(completed.out);
  std::string images, list, show_all, put;
  std::getline(lines, images);
  std::getline(lines, list);
  std::getline(lines, show_all);
  std::getline(lines, put);
  EXPECT_EQ(images, "images");
  EXPECT_EQ(list, "list lock");
  EXPECT_EQ(show_all, "--show-all");
  EXPECT_NE(put.find("--continue"), std::string::npos) << put;
  EXPECT_EQ(put.find("completion"), std::string::npos) << put;
}

}  // namespace
}  // namespace imagelib::testing
