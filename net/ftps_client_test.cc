// FtpsClient against FtpsServer over loopback TLS, both on one io_context.
#include "net/ftps_client.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "net/accounts_config.h"
#include "net/ftps_server.h"
#include "net/self_signed.h"
#include "net/tls_context.h"
#include "reference/base/blob.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Bytes pattern(std::size_t size) {
  Bytes bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>((i * 131) ^ (i >> 11));
  return bytes;
}

class FtpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string directory = (std::filesystem::temp_directory_path() / "ftps-client-XXXXXX").string();
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
    account_ = clients->front().account;
    password_ = *library->reset_ftp_password(account_, account_)->ftp_password;
    host_ = std::make_unique<LibraryHost>(io_, std::move(library), ApiOptions{});
    server_.emplace(io_, *server_tls_, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    server_->start(*host_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::vector<FtpClientOutcome> run(std::vector<FtpClientOperation> operations,
                                    std::string password = "") {
    std::vector<FtpClientOutcome> outcomes;
    FtpClientOptions options{account_, password.empty() ? password_ : password};
    auto client = std::make_unique<FtpsClient>(io_, *client_tls_, server_->local_endpoint(), options);
    const std::size_t expected = operations.size() + 1;
    FtpsClient* raw = client.get();
    client->connect([&, raw](const FtpClientOutcome& outcome) {
      outcomes.push_back(outcome);
      // QUIT once everything ended (or the login failed).
      if (outcomes.size() == expected || (outcome.operation == 0 && !outcome.ok)) raw->quit();
    });
    for (auto& operation : operations) client->start(std::move(operation));
    while (!client->is_closed() && io_.run_one() > 0) {
    }
    client.reset();
    io_.poll();
    return outcomes;
  }

  std::string directory_;
  asio::io_context io_;
  std::optional<asio::ssl::context> server_tls_;
  std::optional<asio::ssl::context> client_tls_;
  std::unique_ptr<LibraryHost> host_;
  std::optional<FtpsServer> server_;
  AccountId account_;
  std::string password_;
};

TEST_F(FtpsClientTest, UploadsListsResumesDownloadsRenamesAndDeletes) {
  const Bytes content = pattern(3 * 1024 * 1024 + 5);
  const Bytes head(content.begin(), content.begin() + 1000000);
  auto outcomes = run({
      FtpUploadOperation{"/incoming/a.img", std::make_shared<BytesSource>(head)},
      FtpUploadOperation{"/incoming/a.img", std::make_shared<BytesSource>(content),
                         FtpUploadMode::kResumeWithRest},
      FtpDownloadOperation{"/incoming/a.img"},
      FtpListOperation{"/incoming", FtpListingKind::kNlst},
      FtpRenameOperation{"/incoming/a.img", "/incoming/b.img"},
      FtpSizeOperation{"/incoming/b.img"},
      FtpUploadOperation{"/images/x.img", std::make_shared<BytesSource>(head)},
      FtpDeleteOperation{"/incoming/b.img"},
      FtpDownloadOperation{"/incoming/b.img"},
  });
  ASSERT_EQ(outcomes.size(), 10u);
  EXPECT_TRUE(outcomes[0].ok) << outcomes[0].reply_text;  // login
  EXPECT_TRUE(outcomes[1].ok) << outcomes[1].reply_text;
  EXPECT_TRUE(outcomes[2].ok) << outcomes[2].reply_text;
  EXPECT_EQ(outcomes[2].size, head.size());  // resumed from there
  ASSERT_TRUE(outcomes[3].ok) << outcomes[3].reply_text;
  EXPECT_EQ(outcomes[3].data, content);
  EXPECT_NE(std::string(outcomes[4].data.begin(), outcomes[4].data.end()).find("a.img"), std::string::npos);
  EXPECT_TRUE(outcomes[5].ok);
  EXPECT_EQ(outcomes[6].size, content.size());
  EXPECT_EQ(outcomes[7].reply_code, 553);
  EXPECT_TRUE(outcomes[8].ok);
  EXPECT_EQ(outcomes[9].reply_code, 550);
}

TEST_F(FtpsClientTest, AWrongPasswordFailsTheLogin) {
  auto outcomes = run({FtpListOperation{"/"}}, "wrong-password");
  ASSERT_FALSE(outcomes.empty());
  EXPECT_FALSE(outcomes[0].ok);
  EXPECT_EQ(outcomes[0].reply_code, 530);
}

}  // namespace
}  // namespace imagelib::net
