// A snapshot restores a host's whole state; open_journaled_core compacts a
// journal with inputs into a new generation that rebuilds the same state,
// with a new seed (new tokens never repeat old ones, old tokens stay
// valid), a private file, and no compaction when nothing happened.
#include "net/journaled_core.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "net/basic_auth.h"
#include "net/core_snapshot.h"
#include "net/file_blob_store.h"
#include "net/journaled_core_testing.h"
#include "net/temp_dir_testing.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using nlohmann::json;


TEST(CoreSnapshot, RestoresTheLibraryAndTheTokens) {
  TempDir dir;
  asio::io_context io;
  const CoreSetup setup = setup_in(dir);
  auto core = open_journaled_core(io, dir.file("journal"), setup, kStart);
  ASSERT_TRUE(core.ok()) << core.status().to_string();
  LibraryHost& host = *core->host;
  const ProvisionedClient client = core->clients.front();
  const std::string token = "Bearer " + new_token(host, client);
  const ImageId official = host.library().list_images(client.account).front().id;
  const HttpResponse server = call(host, "POST", "/1.0/servers", token, {{"image", official}});
  ASSERT_EQ(server.status, 202) << server.body;
  const std::string server_id = json::parse(server.body).at("id").get<std::string>();
  // A snapshot left creating: its job goes into the snapshot.
  ASSERT_EQ(call(host, "POST", "/1.0/servers/" + server_id + "/snapshot", token).status, 202);

  auto out = Journal::create(dir.file("snapshot"));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(write_snapshot(host, **out).ok());
  out->reset();

  LibraryOptions options;
  options.seed = 99;
  LibraryHost restored(io, std::make_unique<Library>(options), ApiOptions{});
  SnapshotReader reader(std::make_shared<MemoryBlobStore>());
  auto read = Journal::open(dir.file("snapshot"), [&](const json& header, ByteView payload) {
    return reader.read(header, payload, restored);
  });
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(restored.library().dump_state(), host.library().dump_state());
  EXPECT_EQ(call(restored, "GET", "/1.0/servers", token).status, 200);
  run_jobs_to_the_end(io, host);
  run_jobs_to_the_end(io, restored);
  EXPECT_EQ(restored.library().dump_state(), host.library().dump_state());
}

TEST(JournaledCore, EachGenerationsSecretsComeFromItsOwnKeyKeptInTheJournal) {
  TempDir dir;
  asio::io_context io;
  CoreSetup setup = setup_in(dir);
  std::uint8_t next_key = 1;
  setup.new_secret_key = [&] {
    SecretGenerator::Key key{};
    key.fill(next_key++);
    return std::optional(key);
  };
  const std::string path = dir.file("journal");
  std::string client_secret;
  std::string token;
  {
    auto core = open_journaled_core(io, path, setup, kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    SecretGenerator::Key first{};
    first.fill(1);
    EXPECT_EQ(core->host->library().secret_key(), first);
    client_secret = core->clients.front().secret;
    token = new_token(*core->host, core->clients.front());
  }
  // The secrets of the first generation are not those the seed alone gives.
  CoreSetup seeded = setup_in(dir);
  TempDir other;
  auto from_seed = open_journaled_core(io, other.file("journal"), seeded, kStart);
  ASSERT_TRUE(from_seed.ok());
  EXPECT_NE(from_seed->clients.front().secret, client_secret);
  // A restart replays the first generation with its key, then compacts into a second with a new one.
  auto again = open_journaled_core(io, path, setup, kStart);
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->clients.front().secret, client_secret);
  SecretGenerator::Key second{};
  second.fill(2);
  EXPECT_EQ(again->host->library().secret_key(), second);
  EXPECT_EQ(call(*again->host, "GET", "/1.0/account", "Bearer " + token).status, 200);
}

TEST(JournaledCore, ARestartCompactsIntoANewGenerationWithTheSameState) {
  TempDir dir;
  asio::io_context io;
  const CoreSetup setup = setup_in(dir);
  const std::string path = dir.file("journal");
  std::set<std::string> tokens;
  std::string state;
  std::string token;
  ProvisionedClient client;
  {
    auto core = open_journaled_core(io, path, setup, kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    EXPECT_EQ(core->generation, 0u);
    client = core->clients.front();
    LibraryHost& host = *core->host;
    for (int i = 0; i < 3; ++i) tokens.insert(new_token(host, client));
    token = "Bearer " + *tokens.begin();
    const ImageId official = host.library().list_images(client.account).front().id;
    const HttpResponse server = call(host, "POST", "/1.0/servers", token, {{"image", official}});
    ASSERT_EQ(server.status, 202);
    const std::string server_id = json::parse(server.body).at("id").get<std::string>();
    ASSERT_EQ(call(host, "POST", "/1.0/servers/" + server_id + "/snapshot", token).status, 202);
    ASSERT_EQ(
        call(host, "POST", "/1.0/accounts/" + client.account + "/reset_ftp_password", token).status,
        200);
    run_jobs_to_the_end(io, host);
    state = host.library().dump_state();
  }
  for (std::uint64_t generation = 1; generation <= 2; ++generation) {
    auto core = open_journaled_core(io, path, setup, kStart + std::chrono::hours(1));
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    EXPECT_EQ(core->generation, generation);
    EXPECT_EQ(core->clients.front().secret, client.secret);
    LibraryHost& host = *core->host;
    EXPECT_EQ(host.library().dump_state(), state);
    EXPECT_EQ(call(host, "GET", "/1.0/servers", token).status, 200);  // old tokens stay valid
    const std::string fresh = new_token(host, client);
    EXPECT_TRUE(tokens.insert(fresh).second) << "token repeated after a restart: " << fresh;
    state = host.library().dump_state();
  }
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(path + ".compacting"));
  // The inputs of the last start make a third generation; then nothing
  // happens, and the next start leaves the journal as it is.
  std::uintmax_t compacted = 0;
  for (int start = 0; start < 2; ++start) {
    auto core = open_journaled_core(io, path, setup, kStart + std::chrono::hours(2));
    ASSERT_TRUE(core.ok());
    EXPECT_EQ(core->generation, 3u);
    EXPECT_EQ(core->host->library().dump_state(), state);
    if (start == 0) compacted = std::filesystem::file_size(path);
  }
  EXPECT_EQ(std::filesystem::file_size(path), compacted);
}


// SPEC §6: what is not authenticated is answered and never journaled.
TEST(JournaledCore, NothingUnauthenticatedReachesTheJournal) {
  TempDir dir;
  asio::io_context io;
  const CoreSetup setup = setup_in(dir);
  const std::string path = dir.file("journal");
  std::string state;
  {
    auto core = open_journaled_core(io, path, setup, kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    LibraryHost& host = *core->host;
    const ProvisionedClient client = core->clients.front();
    const std::string token = "Bearer " + new_token(host, client);
    const HttpResponse reset = call(host, "POST", "/1.0/accounts/" + client.account + "/reset_ftp_password", token);
    ASSERT_EQ(reset.status, 200);
    const std::string password = json::parse(reset.body).at("library_ftp_password").get<std::string>();
    const std::uintmax_t accepted = std::filesystem::file_size(path);

    EXPECT_EQ(call(host, "GET", "/1.0/images", "").status, 401);
    EXPECT_EQ(call(host, "GET", "/1.0/images", "Bearer guessed").status, 401);
    EXPECT_EQ(call(host, "POST", "/token", basic_authorization(client.client, "guessed"),
                   {{"grant_type", "client_credentials"}}).status, 401);
    HttpRequest bomb{"POST", "/1.0/images", {{"authorization", token}, {"content-type", "application/json"}},
                     R"({"description":)" + std::string(100000, '[') + std::string(100000, ']') + "}"};
    EXPECT_EQ(host.handle_api(bomb).status, 400);
    {
      auto session = host.open_ftp_session("192.0.2.9");
      session->on_connected(kStart);
      EXPECT_EQ(send_ftp(*session, "AUTH TLS\r\n", kStart).substr(0, 3), "234");
      send_ftp(*session, "USER " + client.account + "\r\nPASS guessed\r\nJUNK\r\n", kStart);
      session->on_control_closed(kStart);
    }
    {
      auto flood = host.open_ftp_session("192.0.2.9");
      flood->on_connected(kStart);
      std::string replies;
      for (int i = 0; i < 100 && replies.find("421 ") == std::string::npos; ++i) {
        replies += send_ftp(*flood, std::string(4000, 'x') + "\r\n", kStart);
      }
      EXPECT_NE(replies.find("421 Too much input before login.\r\n"), std::string::npos) << replies.substr(0, 300);
    }
    EXPECT_EQ(std::filesystem::file_size(path), accepted);

    // A session that logs in is journaled whole, what it sent before too, and replays.
    auto session = host.open_ftp_session("192.0.2.9");
    session->on_connected(kStart);
    send_ftp(*session, "NOOP\r\nAUTH TLS\r\n", kStart);
    const std::string replies =
        send_ftp(*session, "USER " + client.account + "\r\nPASS " + password + "\r\nPWD\r\n", kStart);
    EXPECT_NE(replies.find("230 "), std::string::npos) << replies;
    EXPECT_NE(replies.find("257 "), std::string::npos) << replies;
    EXPECT_GT(std::filesystem::file_size(path), accepted);
    session->on_control_closed(kStart);
    state = host.library().dump_state();
  }
  auto again = open_journaled_core(io, path, setup, kStart + std::chrono::hours(1));
  ASSERT_TRUE(again.ok()) << again.status().to_string();
  EXPECT_EQ(again->host->library().dump_state(), state);
}

// Every failed FTP login counts against its address, a pipelined one that
// fails on the wake after the first's delay too (SPEC §6).
TEST(JournaledCore, EachFailedFtpLoginCountsForItsAddress) {
  TempDir dir;
  asio::io_context io;
  CoreSetup setup = setup_in(dir);
  setup.host.login_throttle.delay_after = 2;
  auto core = open_journaled_core(io, dir.file("journal"), setup, kStart);
  ASSERT_TRUE(core.ok()) << core.status().to_string();
  LibraryHost& host = *core->host;
  const auto now = LoginThrottle::Clock::now();
  auto session = host.open_ftp_session("192.0.2.7");
  session->on_connected(kStart);
  send_ftp(*session, "AUTH TLS\r\n", kStart);
  const std::string user = core->clients.front().account;
  send_ftp(*session, "USER " + user + "\r\nPASS one\r\nUSER " + user + "\r\nPASS two\r\n", kStart);
  EXPECT_EQ(host.login_throttle().delay("192.0.2.7", now), LoginThrottle::Clock::duration::zero());
  session->on_wake(kStart + std::chrono::seconds(1));  // the first 530; the second PASS fails now
  session->on_wake(kStart + std::chrono::seconds(2));
  EXPECT_EQ(host.login_throttle().delay("192.0.2.7", now), std::chrono::seconds(1));
  EXPECT_EQ(host.login_throttle().delay("192.0.2.8", now), LoginThrottle::Clock::duration::zero());
}


// A compacted journal names the data directory's blob files: a restart
// adopts them instead of copying their bytes (issue 13), and removes the
// files nothing names or holds.
TEST(JournaledCore, ARestartAdoptsTheStoredFilesInsteadOfCopyingThem) {
  TempDir dir;
  asio::io_context io;
  std::filesystem::create_directories(dir.file("blobs"));
  CoreSetup setup = setup_in(dir);
  const std::string path = dir.file("journal");
  std::string state;
  std::string contents;
  {
    auto store = FileBlobStore::open_store(dir.file("blobs"));
    ASSERT_TRUE(store.ok());
    setup.store = *store;
    auto core = open_journaled_core(io, path, setup, kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    LibraryHost& host = *core->host;
    const ProvisionedClient client = core->clients.front();
    const std::string token = "Bearer " + new_token(host, client);
    const ImageId official = host.library().list_images(client.account).front().id;
    const HttpResponse server = call(host, "POST", "/1.0/servers", token, {{"image", official}});
    ASSERT_EQ(server.status, 202);
    const std::string server_id = json::parse(server.body).at("id").get<std::string>();
    ASSERT_EQ(call(host, "POST", "/1.0/servers/" + server_id + "/snapshot", token).status, 202);
    run_jobs_to_the_end(io, host);
    state = host.library().dump_state();
    contents = contents_of(host.library());
  }
  std::uintmax_t compacted = 0;
  for (int start = 0; start < 2; ++start) {
    SCOPED_TRACE("start " + std::to_string(start + 1));
    auto store = FileBlobStore::open_store(dir.file("blobs"));
    ASSERT_TRUE(store.ok());
    setup.store = *store;
    auto core = open_journaled_core(io, path, setup, kStart + std::chrono::hours(1));
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    (*store)->collect_garbage(core->named_blob_files);
    EXPECT_EQ(core->host->library().dump_state(), state);
    EXPECT_EQ(contents_of(core->host->library()), contents);
    // The journal holds metadata only: less than one disk's bytes.
    if (start == 0) compacted = std::filesystem::file_size(path);
    EXPECT_LT(std::filesystem::file_size(path), 5u * 65536u);
    EXPECT_EQ(std::filesystem::file_size(path), compacted);  // nothing happened: not rewritten
    EXPECT_FALSE(core->named_blob_files.empty());
    std::set<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir.file("blobs"))) {
      files.insert(entry.path().filename().string());
    }
    std::set<std::string> named;
    for (std::uint64_t key : core->named_blob_files) named.insert(std::to_string(key) + ".blob");
    EXPECT_EQ(files, named);
  }
}

TEST(JournaledCore, APartialCompactionLeftByACrashIsIgnored) {
  TempDir dir;
  asio::io_context io;
  const CoreSetup setup = setup_in(dir);
  const std::string path = dir.file("journal");
  std::string state;
  {
    auto core = open_journaled_core(io, path, setup, kStart);
    ASSERT_TRUE(core.ok());
    new_token(*core->host, core->clients.front());
    state = core->host->library().dump_state();
  }
  // A crash while writing the next generation leaves a partial file beside it.
  std::ofstream(path + ".compacting", std::ios::binary) << "partial";
  auto core = open_journaled_core(io, path, setup, kStart);
  ASSERT_TRUE(core.ok()) << core.status().to_string();
  EXPECT_EQ(core->generation, 1u);
  EXPECT_EQ(core->host->library().dump_state(), state);
}

TEST(DataDirectory, IsMadePrivate) {
  TempDir dir;
  const std::string data = dir.file("data");
  ASSERT_TRUE(make_private_directory(data).ok());
  struct stat info {};
  ASSERT_EQ(::stat(data.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace imagelib::net
