// API requests per second through ApiService in process (the request handling
// every transport shares; no sockets, no TLS): GET /1.0/images with 10,000
// images visible to the caller, GET /1.0/images/{id}, and POST /1.0/images
// registering a fresh 4 KiB upload (the request only: the decode job ends
// later in virtual time; decode_bench measures decoding).
// Run: build/bench/api_bench
#include <benchmark/benchmark.h>

#include <memory>

#include <nlohmann/json.hpp>

#include "net/basic_auth.h"
#include "reference/api/api_service.h"
#include "reference/library/ftp_path.h"

namespace imagelib::bench {
namespace {

constexpr int kVisibleImages = 10'000;

// A library with one account and its bearer token, at a fixed time.
class ApiWorld {
 public:
  explicit ApiWorld(int official_images) : api_(library_) {
    account_ = library_.create_account("bench").value().id;
    const ApiClient client = library_.create_api_client(account_).value();
    for (int i = 0; i < official_images; ++i) {
      OfficialImageSpec spec;
      spec.name = "official-" + std::to_string(i);
      spec.content = Bytes(4096, static_cast<std::uint8_t>(1 + i % 251));
      last_image_ = library_.add_official_image(spec, now_).value().id;
    }
    const HttpResponse token =
        api_.handle({"POST", "/token", {{"authorization", net::basic_authorization(client.id, client.secret)}},
                     R"({"grant_type":"client_credentials"})"},
                    now_);
    authorization_ = "Bearer " + nlohmann::json::parse(token.body).at("access_token").get<std::string>();
  }

  HttpResponse call(const std::string& method, const std::string& target, const std::string& body = "") {
    return api_.handle({method, target, {{"authorization", authorization_}}, body}, now_);
  }

  // Puts a 4 KiB file `name` into the account's incoming/.
  Status upload(const std::string& name) {
    const auto path = resolve_ftp_path("/", "/incoming/" + name);
    if (!path.ok()) return path.status();
    auto opened = library_.ftp_open_for_write(account_, *path, WriteMode::kReplace, 0, now_);
    if (!opened.ok()) return opened.status();
    return library_.ftp_write(account_, *path, 0, Bytes(4096, 7), now_);
  }

  const std::string& last_image() const { return last_image_; }

 private:
  Library library_;
  ApiService api_;
  AccountId account_;
  ImageId last_image_;
  std::string authorization_;
  Timestamp now_ = Timestamp::from_unix_seconds(1'800'000'000);
};

ApiWorld& listed_world() {
  static ApiWorld world(kVisibleImages);
  return world;
}

void count_requests(benchmark::State& state) {
  state.counters["requests/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_ApiListImages(benchmark::State& state) {
  ApiWorld& world = listed_world();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const HttpResponse response = world.call("GET", "/1.0/images");
    if (response.status != 200) {
      state.SkipWithError(response.body.c_str());
      return;
    }
    bytes = response.body.size();
  }
  count_requests(state);
  state.counters["body_bytes"] = static_cast<double>(bytes);
}

void BM_ApiShowImage(benchmark::State& state) {
  ApiWorld& world = listed_world();
  const std::string target = "/1.0/images/" + world.last_image();
  for (auto _ : state) {
    const HttpResponse response = world.call("GET", target);
    if (response.status != 200) {
      state.SkipWithError(response.body.c_str());
      return;
    }
  }
  count_requests(state);
}

void BM_ApiRegisterImage(benchmark::State& state) {
  static ApiWorld world(0);
  static int uploads = 0;
  for (auto _ : state) {
    const std::string name = "upload-" + std::to_string(uploads++) + ".img";
    if (const Status uploaded = world.upload(name); !uploaded.ok()) {
      state.SkipWithError(uploaded.to_string().c_str());
      return;
    }
    const HttpResponse response =
        world.call("POST", "/1.0/images", R"({"arch":"x86_64","source":")" + name + R"("})");
    if (response.status != 201) {
      state.SkipWithError(response.body.c_str());
      return;
    }
  }
  count_requests(state);
}

BENCHMARK(BM_ApiListImages)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ApiShowImage)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ApiRegisterImage)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace imagelib::bench

BENCHMARK_MAIN();
