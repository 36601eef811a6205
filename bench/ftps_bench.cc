// FTPS throughput of the real transport on loopback: the FtpsServer of
// `imagelib serve` (same LibraryHost, TLS context and session code, in
// process, on its own thread with its own io_context) against 1 and 16
// concurrent FtpsClient connections on the benchmark's thread. Measures
// bytes per second of downloads (RETR from incoming/) and uploads (STOR to
// incoming/), TLS 1.3 with data sessions resuming the control session.
// Run: build/bench/ftps_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <filesystem>
#include <thread>

#include "net/accounts_config.h"
#include "net/ftps_client.h"
#include "net/ftps_server.h"
#include "net/self_signed.h"
#include "net/tls_context.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::size_t kFileBytes = 16 * 1024 * 1024;

class BytesSource final : public RandomAccessSource {
 public:
  explicit BytesSource(std::shared_ptr<const Bytes> bytes) : bytes_(std::move(bytes)) {}
  std::uint64_t size() const override { return bytes_->size(); }
  Status read_at(std::uint64_t offset, MutableByteView out) const override {
    if (offset > bytes_->size() || out.size() > bytes_->size() - offset) {
      return Status(ErrorCode::kOutOfRange, "past the end");
    }
    std::copy_n(bytes_->begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
    return {};
  }

 private:
  std::shared_ptr<const Bytes> bytes_;
};

// A server on its own thread, with one account whose incoming/ holds `file.bin`.
class LoopbackServer {
 public:
  LoopbackServer() {
    std::string directory = (std::filesystem::temp_directory_path() / "ftps-bench-XXXXXX").string();
    if (::mkdtemp(directory.data()) == nullptr) throw std::runtime_error("mkdtemp");
    directory_ = directory;
    auto files = write_self_signed_certificate(directory_);
    auto server_tls = make_server_tls_context(*files);
    auto client_tls = make_client_tls_context(std::nullopt);
    server_tls_.emplace(std::move(server_tls.value()));
    client_tls_.emplace(std::move(client_tls.value()));
    auto library = std::make_unique<Library>();
    auto clients = provision_library(*library, default_accounts_config(), Timestamp{});
    account_ = clients->front().account;
    password_ = *library->reset_ftp_password(account_, account_)->ftp_password;
    content_ = std::make_shared<Bytes>(kFileBytes);
    for (std::size_t i = 0; i < kFileBytes; ++i) (*content_)[i] = static_cast<std::uint8_t>(i * 2654435761u >> 13);
    const FtpPath path = *resolve_ftp_path("/", "/incoming/file.bin");
    (void)library->ftp_open_for_write(account_, path, WriteMode::kReplace, 0, Timestamp{});
    (void)library->ftp_write(account_, path, 0, *content_, Timestamp{});
    host_ = std::make_unique<LibraryHost>(server_io_, std::move(library), ApiOptions{});
    server_.emplace(server_io_, *server_tls_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    server_->start(*host_);
    guard_.emplace(server_io_.get_executor());
    thread_ = std::thread([this] { server_io_.run(); });
  }
  ~LoopbackServer() {
    guard_.reset();
    asio::post(server_io_, [this] { server_->stop(); server_io_.stop(); });
    thread_.join();
    std::filesystem::remove_all(directory_);
  }

  // Runs `clients` connections at once, each doing `operation_for(i)`;
  // returns false if any failed.
  bool run(int clients, const std::function<FtpClientOperation(int)>& operation_for) {
    asio::io_context io;
    int failures = 0;
    std::vector<std::unique_ptr<FtpsClient>> connections;
    for (int i = 0; i < clients; ++i) {
      connections.push_back(std::make_unique<FtpsClient>(io, *client_tls_, server_->local_endpoint(),
                                                         FtpClientOptions{account_, password_}));
      FtpsClient* client = connections.back().get();
      client->connect([&failures, client](const FtpClientOutcome& outcome) {
        if (!outcome.ok) ++failures;
        if (outcome.operation == 1 || !outcome.ok) client->quit();
      });
      client->start(operation_for(i));
    }
    io.run();
    connections.clear();
    io.restart();
    io.run();
    return failures == 0;
  }

  std::shared_ptr<const Bytes> content() const { return content_; }

 private:
  std::string directory_;
  asio::io_context server_io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::optional<asio::ssl::context> server_tls_;
  std::optional<asio::ssl::context> client_tls_;
  std::unique_ptr<LibraryHost> host_;
  std::optional<FtpsServer> server_;
  std::thread thread_;
  AccountId account_;
  std::string password_;
  std::shared_ptr<Bytes> content_;
};

void BM_FtpsDownload(benchmark::State& state) {
  LoopbackServer server;
  const int clients = static_cast<int>(state.range(0));
  for (auto _ : state) {
    if (!server.run(clients, [](int) { return FtpDownloadOperation{"/incoming/file.bin"}; })) {
      state.SkipWithError("a download failed");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * clients * static_cast<std::int64_t>(kFileBytes));
}
BENCHMARK(BM_FtpsDownload)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FtpsUpload(benchmark::State& state) {
  LoopbackServer server;
  const int clients = static_cast<int>(state.range(0));
  for (auto _ : state) {
    const bool ok = server.run(clients, [&server](int i) {
      return FtpUploadOperation{"/incoming/up" + std::to_string(i) + ".bin",
                                std::make_shared<BytesSource>(server.content())};
    });
    if (!ok) {
      state.SkipWithError("an upload failed");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * clients * static_cast<std::int64_t>(kFileBytes));
}
BENCHMARK(BM_FtpsUpload)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace imagelib::net

BENCHMARK_MAIN();
