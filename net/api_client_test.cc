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
