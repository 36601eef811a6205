// ApiClient against ApiServer over loopback HTTPS and plain HTTP; the server
// runs on its own thread with its own io_context.
#include "net/api_client.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "net/accounts_config.h"
#include "net/api_server.h"
#include "net/self_signed.h"
#include "net/tls_context.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class ApiClientTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string directory = (std::filesystem::temp_directory_path() / "api-client-XXXXXX").string();
    ASSERT_NE(::mkdtemp(directory.data()), nullptr);
    directory_ = directory;
    auto files = write_self_signed_certificate(directory_);
    ASSERT_TRUE(files.ok());
    auto server_tls = make_server_tls_context(*files);
    auto client_tls = make_client_tls_context(files->certificate_chain_file);
    ASSERT_TRUE(server_tls.ok() && client_tls.ok());
    server_tls_.emplace(std::move(server_tls.value()));
    client_tls_.emplace(std::move(client_tls.value()));
    auto library = std::make_unique<Library>();
    auto clients = provision_library(*library, default_accounts_config(), Timestamp{});
    ASSERT_TRUE(clients.ok());
    client_ = clients->front();
    host_ = std::make_unique<LibraryHost>(io_, std::move(library), ApiOptions{});
    const bool secure = GetParam();
    server_.emplace(io_, secure ? &*server_tls_ : nullptr,
                    tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    server_->start(*host_);
    base_ = std::string(secure ? "https" : "http") + "://127.0.0.1:" +
            std::to_string(server_->local_endpoint().port());
    guard_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    guard_.reset();
    if (thread_.joinable()) {
      asio::post(io_, [this] {
        server_->stop();
        io_.stop();
      });
      thread_.join();
    }
    std::filesystem::remove_all(directory_);
  }

  std::string directory_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_;
  std::optional<asio::ssl::context> server_tls_;
  std::optional<asio::ssl::context> client_tls_;
  std::unique_ptr<LibraryHost> host_;
  std::optional<ApiServer> server_;
  std::thread thread_;
  ProvisionedClient client_;
  std::string base_;
};

// The certificate (write_self_signed_certificate) names 127.0.0.1, ::1 and localhost.
TEST_P(ApiClientTest, AcceptsOnlyACertificateThatNamesTheServer) {
  if (!GetParam()) GTEST_SKIP() << "plain HTTP has no certificate";
  const std::optional<std::string> ca = directory_ + "/cert.pem";
  auto get_token = [&](const ServerTrust& trust, const std::string& name) -> Result<ApiReply> {
    auto tls = make_verifying_client_tls_context(trust, name);
    if (!tls.ok()) return tls.status();
    return ApiClient(base_, *tls, name).request_token(client_.client, client_.secret);
  };
  auto by_address = get_token({ca, false}, "127.0.0.1");
  ASSERT_TRUE(by_address.ok()) << by_address.status().to_string();
  EXPECT_EQ(by_address->status, 200);
  auto by_name = get_token({ca, false}, "localhost");
  ASSERT_TRUE(by_name.ok()) << by_name.status().to_string();
  EXPECT_EQ(by_name->status, 200);

  auto other_name = get_token({ca, false}, "images.example.com");
  ASSERT_FALSE(other_name.ok());
  EXPECT_NE(other_name.status().message().find("certificate verify failed"), std::string::npos)
      << other_name.status().message();
  auto other_address = get_token({ca, false}, "127.0.0.2");
  EXPECT_FALSE(other_address.ok());
  auto system_store = get_token({std::nullopt, false}, "127.0.0.1");
  EXPECT_FALSE(system_store.ok()) << "a self-signed certificate is in no system store";
  auto insecure = get_token({std::nullopt, true}, "images.example.com");
  ASSERT_TRUE(insecure.ok()) << insecure.status().to_string();
  EXPECT_EQ(insecure->status, 200);
}

// A server that takes the connection and never answers: the request fails
// once the timeout passes instead of blocking the caller forever.
TEST_P(ApiClientTest, GivesUpOnASilentServer) {
  asio::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));  // never accepts
  const std::string base = std::string(GetParam() ? "https" : "http") + "://127.0.0.1:" +
                           std::to_string(silent.local_endpoint().port());
  ApiClient api(base, *client_tls_, "", std::chrono::milliseconds(300));
  auto reply = api.call("GET", "/1.0/account");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().message(), "API request failed: no answer within 300 ms");
}

TEST_P(ApiClientTest, GetsATokenAndDecodesErrors) {
  ApiClient api(base_, *client_tls_);
  auto refused = api.request_token(client_.client, "wrong-secret");
  ASSERT_TRUE(refused.ok()) << refused.status().to_string();
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->error_name, "invalid_client");
  EXPECT_FALSE(api.token());

  auto unauthenticated = api.call("GET", "/1.0/account");
  ASSERT_TRUE(unauthenticated.ok());
  EXPECT_EQ(unauthenticated->status, 401);

  auto token = api.request_token(client_.client, client_.secret);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->status, 200);
  ASSERT_TRUE(api.token());

  auto account = api.call("GET", "/1.0/account");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->status, 200);
  EXPECT_EQ(account->body.value("id", ""), client_.account);

  auto missing = api.call("GET", "/1.0/images/img-zzzzz");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->error_name, "missing_resource");
  EXPECT_FALSE(missing->error_message.empty());

  auto invalid = api.call("POST", "/1.0/images", {{"arch", "sparc"}, {"source", "none.img"}});
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->status, 422);
  EXPECT_EQ(invalid->error_name, "unprocessable_entity");

  auto reset = api.call("POST", "/1.0/accounts/" + client_.account + "/reset_ftp_password");
  ASSERT_TRUE(reset.ok());
  EXPECT_EQ(reset->status, 200);
  EXPECT_TRUE(reset->body["library_ftp_password"].is_string());
}

TEST(ApiClientBase, RefusesAMalformedBase) {
  auto tls = make_client_tls_context(std::nullopt);
  ASSERT_TRUE(tls.ok());
  ApiClient api("ftp://example", *tls);
  EXPECT_FALSE(api.call("GET", "/1.0/account").ok());
}

INSTANTIATE_TEST_SUITE_P(HttpsAndPlain, ApiClientTest, ::testing::Values(true, false));

}  // namespace
}  // namespace imagelib::net
