// LibraryHost's jobs: a registration decodes on a worker thread while the io
// thread answers API requests (held in progress by a gate, no sleeps), and a
// journal written while jobs ran on workers replays to the same state, also
// when it ends with a decode in progress (a crash).
#include "net/library_host.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "net/accounts_config.h"
#include "net/api_client.h"
#include "net/api_server.h"
#include "net/basic_auth.h"
#include "net/journaled_core_testing.h"
#include "net/tls_context.h"
#include "net/temp_dir_testing.h"
#include "reference/base/sha256.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

Bytes small_disk(std::uint8_t fill) {
  Bytes disk(3 * 65536, 0);
  for (std::size_t i = 0; i < 4096; ++i) disk[i] = static_cast<std::uint8_t>(fill + i % 7);
  return disk;
}

// A provisioned library (job_time zero: jobs are due at once) with two files
// in the first account's incoming/, built alike for every host of a test.
struct Core {
  std::unique_ptr<Library> library;
  ProvisionedClient client;
};

Core make_core() {
  LibraryOptions options;
  options.seed = 7;
  options.job_time = Duration::zero();
  Core core{std::make_unique<Library>(options), {}};
  auto clients = provision_library(*core.library, default_accounts_config(), kStart);
  EXPECT_TRUE(clients.ok());
  core.client = clients->front();
  for (const auto& [name, content] :
       {std::pair<std::string, Bytes>{"disk.img", small_disk(1)}, {"bad.img", Bytes{}}}) {
    const FtpPath path{FtpFolder::kIncoming, name};
    EXPECT_TRUE(
        core.library->ftp_open_for_write(core.client.account, path, WriteMode::kReplace, 0, kStart)
            .ok());
    EXPECT_TRUE(core.library->ftp_write(core.client.account, path, 0, content, kStart).ok());
  }
  return core;
}

std::string token_of(LibraryHost& host, const ProvisionedClient& client) {
  const HttpResponse issued = call(host, "POST", "/token", basic_authorization(client.client, client.secret),
                                   {{"grant_type", "client_credentials"}});
  EXPECT_EQ(issued.status, 200) << issued.body;
  return "Bearer " + json::parse(issued.body).at("access_token").get<std::string>();
}

TEST(LibraryHostJobs, ADecodeRunsOffTheIoThreadWhileTheApiAnswers) {
  asio::io_context io;
  Core core = make_core();
  const ProvisionedClient client = core.client;
  std::promise<std::thread::id> decoding;
  std::future<std::thread::id> decoding_thread = decoding.get_future();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  LibraryHostOptions options;
  options.before_decode = [&] {
    decoding.set_value(std::this_thread::get_id());
    released.wait();
  };
  LibraryHost host(io, std::move(core.library), ApiOptions{}, options);
  ApiServer server(io, nullptr, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  server.start(host);
  auto guard = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });

  auto tls = make_client_tls_context(std::nullopt);
  ASSERT_TRUE(tls.ok());
  ApiClient api("http://127.0.0.1:" + std::to_string(server.local_endpoint().port()), *tls);
  ASSERT_EQ(api.request_token(client.client, client.secret)->status, 200);
  auto registered = api.call("POST", "/1.0/images", {{"arch", "x86_64"}, {"source", "disk.img"}});
  ASSERT_TRUE(registered.ok());
  ASSERT_EQ(registered->status, 201) << registered->body;
  const std::string id = registered->body.at("id").get<std::string>();

  // The worker holds the job; the io thread still answers.
  const std::thread::id worker = decoding_thread.get();
  EXPECT_NE(worker, io_thread.get_id());
  auto listed = api.call("GET", "/1.0/images");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->status, 200);
  bool found = false;
  for (const json& image : listed->body) {
    if (image.at("id") != id) continue;
    found = true;
    EXPECT_EQ(image.at("status"), "creating");
  }
  EXPECT_TRUE(found);

  release.set_value();
  json shown;
  for (int attempt = 0; attempt < 100000; ++attempt) {
    auto reply = api.call("GET", "/1.0/images/" + id);
    ASSERT_TRUE(reply.ok());
    shown = reply->body;
    if (shown.at("status") != "creating") break;
  }
  EXPECT_EQ(shown.at("status"), "available");
  EXPECT_EQ(shown.at("sha256"), sha256_hex(small_disk(1)));

  asio::post(io, [&] {
    server.stop();
    io.stop();
  });
  io_thread.join();
}

// Registers a good and a bad file, builds a server from the good image and
// lets every job end; returns the image ids.
void drive(asio::io_context& io, LibraryHost& host, const ProvisionedClient& client) {
  const std::string token = token_of(host, client);
  const HttpResponse good =
      call(host, "POST", "/1.0/images", token, {{"arch", "x86_64"}, {"source", "disk.img"}});
  ASSERT_EQ(good.status, 201) << good.body;
  const HttpResponse bad =
      call(host, "POST", "/1.0/images", token, {{"arch", "x86_64"}, {"source", "bad.img"}});
  ASSERT_EQ(bad.status, 201) << bad.body;
  run_jobs_to_the_end(io, host);
  const std::string image = json::parse(good.body).at("id").get<std::string>();
  const HttpResponse server = call(host, "POST", "/1.0/servers", token, {{"image", image}});
  ASSERT_EQ(server.status, 202) << server.body;
}

TEST(LibraryHostJobs, AJournalOfWorkerDecodesReplaysToTheSameState) {
  TempDir dir;
  asio::io_context io;
  Core live = make_core();
  const ProvisionedClient client = live.client;
  LibraryHost host(io, std::move(live.library), ApiOptions{});
  auto journal = Journal::open(dir.file("journal"), [](const json&, ByteView) { return Status(); });
  ASSERT_TRUE(journal.ok());
  host.attach_journal(std::move(*journal));
  drive(io, host, client);

  Core again = make_core();
  LibraryHost replayed(io, std::move(again.library), ApiOptions{});
  auto reopened = Journal::open(dir.file("journal"), [&](const json& header, ByteView payload) {
    return replayed.replay(header, payload);
  });
  ASSERT_TRUE(reopened.ok()) << reopened.status().to_string();
  EXPECT_TRUE(replayed.jobs_in_progress().empty());
  EXPECT_EQ(replayed.library().dump_state(), host.library().dump_state());
}

TEST(LibraryHostJobs, ADecodeInProgressWhenTheJournalEndsIsRunAgainAfterReplay) {
  TempDir dir;
  asio::io_context io;
  Core live = make_core();
  const ProvisionedClient client = live.client;
  std::promise<void> taken;
  std::future<void> job_taken = taken.get_future();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  LibraryHostOptions options;
  options.before_decode = [&] {
    taken.set_value();
    released.wait();
  };
  LibraryHost host(io, std::move(live.library), ApiOptions{}, options);
  auto journal = Journal::open(dir.file("journal"), [](const json&, ByteView) { return Status(); });
  ASSERT_TRUE(journal.ok());
  host.attach_journal(std::move(*journal));
  const std::string token = token_of(host, client);
  const HttpResponse registered =
      call(host, "POST", "/1.0/images", token, {{"arch", "x86_64"}, {"source", "disk.img"}});
  ASSERT_EQ(registered.status, 201);
  io.run_one();  // the job timer: the job goes to a worker
  job_taken.wait();
  // The process "dies" here: the journal holds the registration, not its end.
  std::filesystem::copy_file(dir.file("journal"), dir.file("crashed"));
  release.set_value();
  run_jobs_to_the_end(io, host);

  Core again = make_core();
  LibraryHost replayed(io, std::move(again.library), ApiOptions{});
  auto reopened = Journal::open(dir.file("crashed"), [&](const json& header, ByteView payload) {
    return replayed.replay(header, payload);
  });
  ASSERT_TRUE(reopened.ok());
  ASSERT_EQ(replayed.jobs_in_progress().size(), 1u);
  const std::string id = json::parse(registered.body).at("id").get<std::string>();
  EXPECT_EQ(replayed.library().show_image(client.account, id)->status, ImageStatus::kCreating);
  replayed.attach_journal(std::move(*reopened));
  run_jobs_to_the_end(io, replayed);
  const Image done = *replayed.library().show_image(client.account, id);
  EXPECT_EQ(done.status, ImageStatus::kAvailable);
  EXPECT_EQ(done.sha256, host.library().show_image(client.account, id)->sha256);
}

}  // namespace
}  // namespace imagelib::net
