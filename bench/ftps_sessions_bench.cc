// 200 concurrent FTPS sessions against the real `imagelib serve` process at
// its default limits (issue 13): every session logs in, uploads a 1 MiB file
// and downloads it back, all at once, driven by Asio FtpsClients on the
// benchmark's thread (TLS 1.3, data connections resuming the control
// session). serve runs with a data directory, so every upload is journaled.
// Counters: sessions that failed or were refused (the run is an error
// unless 0), and serve's peak resident memory (VmHWM) and the most file
// descriptors it held (/proc/PID/fd, sampled every 2 ms).
// Run: build/bench/ftps_sessions_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "conformance/remote_config.h"
#include "conformance/serve_fixture.h"
#include "net/api_client.h"
#include "net/ftps_client.h"
#include "net/tls_context.h"
#include "reference/base/blob.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr int kSessions = 200;
constexpr std::size_t kFileBytes = 1024 * 1024;

// The most descriptors `pid` holds while it runs, sampled on a thread.
class DescriptorPeak {
 public:
  explicit DescriptorPeak(pid_t pid)
      : thread_([this, folder = "/proc/" + std::to_string(pid) + "/fd"] {
          while (!stop_) {
            std::error_code error;
            std::size_t open = 0;
            for (auto it = std::filesystem::directory_iterator(folder, error);
                 !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
              ++open;
            }
            peak_ = std::max(peak_.load(), open);
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
          }
        }) {}
  ~DescriptorPeak() { stop(); }
  std::size_t stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return peak_;
  }

 private:
  std::atomic<bool> stop_ = false;
  std::atomic<std::size_t> peak_ = 0;
  std::thread thread_;
};

// VmHWM of `pid` in MiB: its peak resident memory since it started.
double peak_resident_mib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

struct Deployment {
  std::unique_ptr<conformance::ServeFixture> serve;
  tcp::endpoint ftp;
  std::optional<asio::ssl::context> tls;
  FtpClientOptions login;
};

Result<Deployment> start_serve() {
  conformance::ServeFixtureOptions options;
  options.binary = IMAGELIB_BINARY;
  auto serve = conformance::ServeFixture::start(options);
  if (!serve.ok()) return serve.status();
  auto config = conformance::load_remote_config((*serve)->config_path());
  if (!config.ok()) return config.status();
  Deployment deployment;
  auto tls = make_client_tls_context(config->api.tls.ca_file);
  if (!tls.ok()) return tls.status();
  deployment.tls.emplace(std::move(*tls));
  // The FTP password of the main account, reset through the API.
  ApiClient api(config->api.base, *deployment.tls);
  const conformance::RemoteAccount& main = config->accounts.at("main");
  auto token = api.request_token(main.client_id, main.secret);
  if (!token.ok()) return token.status();
  auto account = api.call("GET", "/1.0/account");
  if (!account.ok()) return account.status();
  const std::string id = account->body.at("id").get<std::string>();
  auto reset = api.call("POST", "/1.0/accounts/" + id + "/reset_ftp_password");
  if (!reset.ok()) return reset.status();
  deployment.login = FtpClientOptions{id, reset->body.at("library_ftp_password").get<std::string>()};
  deployment.ftp = tcp::endpoint(asio::ip::make_address(config->ftps.host), config->ftps.port);
  deployment.serve = std::move(*serve);
  return deployment;
}

// Every session at once: log in, upload, download; the sessions that failed.
int run_sessions(Deployment& deployment, const std::shared_ptr<const RandomAccessSource>& content,
                 int round) {
  asio::io_context io;
  int failed = 0;
  std::vector<std::unique_ptr<FtpsClient>> clients;
  for (int i = 0; i < kSessions; ++i) {
    clients.push_back(std::make_unique<FtpsClient>(io, *deployment.tls, deployment.ftp, deployment.login));
    FtpsClient* client = clients.back().get();
    client->connect([&failed, client](const FtpClientOutcome& outcome) {
      if (!outcome.ok) ++failed;
      if (outcome.operation == 2 || !outcome.ok) client->quit();
    });
    const std::string path = "/incoming/r" + std::to_string(round) + "-s" + std::to_string(i) + ".bin";
    client->start(FtpUploadOperation{path, content});
    client->start(FtpDownloadOperation{path});
  }
  io.run();
  clients.clear();
  io.restart();
  io.run();
  return failed;
}

void BM_FtpsConcurrentSessions(benchmark::State& state) {
  auto deployment = start_serve();
  if (!deployment.ok()) {
    state.SkipWithError(deployment.status().to_string().c_str());
    return;
  }
  Bytes bytes(kFileBytes);
  for (std::size_t i = 0; i < kFileBytes; ++i) bytes[i] = static_cast<std::uint8_t>(i * 2654435761u >> 13);
  const auto content = std::make_shared<const BytesSource>(std::move(bytes));
  DescriptorPeak descriptors(deployment->serve->pid());
  int failed = 0;
  int round = 0;
  for (auto _ : state) failed += run_sessions(*deployment, content, round++);
  state.counters["sessions"] = kSessions;
  state.counters["failed"] = failed;
  state.counters["serve_peak_fds"] = static_cast<double>(descriptors.stop());
  state.counters["serve_peak_MiB"] = peak_resident_mib(deployment->serve->pid());
  state.SetBytesProcessed(state.iterations() * kSessions * 2 * static_cast<std::int64_t>(kFileBytes));
  if (failed > 0) state.SkipWithError((std::to_string(failed) + " sessions failed or were refused").c_str());
}
BENCHMARK(BM_FtpsConcurrentSessions)->Iterations(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace imagelib::net

BENCHMARK_MAIN();
