// Our FtpsClient against vsftpd configured like the library (notes/ftps.md
// §1): a test user whose chroot holds a writable incoming/ and a read-only
// images/, force_local_data_ssl, require_ssl_reuse. The test makes the user,
// the tree and the config in a temporary directory, starts vsftpd on
// 127.0.0.1 and a free port, stops it by pid and removes the user and the
// directory. It needs root (useradd, chroot): skipped otherwise.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "net/ftps_client.h"
#include "net/self_signed.h"
#include "net/tls_context.h"
#include "reference/base/blob.h"

extern char** environ;

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr char kUser[] = "imglibvsftpdtest";
constexpr char kPassword[] = "vsftpd-test-password";

std::uint16_t free_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

int shell(const std::string& command) { return std::system(command.c_str()); }

class VsftpdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0 || !std::filesystem::exists("/usr/sbin/vsftpd")) {
      GTEST_SKIP() << "needs root and /usr/sbin/vsftpd";
    }
    std::string directory = (std::filesystem::temp_directory_path() / "vsftpd-XXXXXX").string();
    ASSERT_NE(::mkdtemp(directory.data()), nullptr);
    directory_ = directory;
    std::filesystem::permissions(directory_, std::filesystem::perms(0755));
    const std::string home = directory_ + "/home";
    shell(std::string("userdel ") + kUser + " >/dev/null 2>&1");
    ASSERT_EQ(shell("useradd -M -d " + home + " -s /bin/bash " + kUser), 0);
    user_made_ = true;
    ASSERT_EQ(shell(std::string("echo '") + kUser + ":" + kPassword + "' | chpasswd"), 0);
    std::filesystem::create_directories(home + "/incoming");
    std::filesystem::create_directories(home + "/images");
    ASSERT_EQ(shell("chown root:root " + home + " " + home + "/images && chmod 755 " + home + " " +
                    home + "/images && chown " + kUser + " " + home + "/incoming"),
              0);
    std::ofstream(home + "/images/img-00001") << "an image";
    std::filesystem::create_directories("/var/run/vsftpd/empty");
    auto files = write_self_signed_certificate(directory_);
    ASSERT_TRUE(files.ok());
    port_ = free_port();
    const std::uint16_t passive = free_port();
    std::ofstream(directory_ + "/vsftpd.conf")
        << "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port=" << port_
        << "\nbackground=NO\nanonymous_enable=NO\nlocal_enable=YES\nwrite_enable=YES\n"
           "local_umask=022\nchroot_local_user=YES\nallow_writeable_chroot=NO\n"
           "secure_chroot_dir=/var/run/vsftpd/empty\npam_service_name=vsftpd\nuserlist_enable=NO\n"
           "pasv_enable=YES\npasv_address=127.0.0.1\npasv_min_port="
        << passive << "\npasv_max_port=" << passive
        << "\nssl_enable=YES\nrsa_cert_file=" << files->certificate_chain_file
        << "\nrsa_private_key_file=" << files->private_key_file
        << "\nforce_local_logins_ssl=YES\nforce_local_data_ssl=YES\nrequire_ssl_reuse=YES\n"
           "ssl_sslv2=NO\nssl_sslv3=NO\nssl_tlsv1=NO\nssl_ciphers=HIGH:!aNULL:!MD5:!3DES\n"
           "xferlog_enable=NO\n";
    const std::string config = directory_ + "/vsftpd.conf";
    char* argv[] = {const_cast<char*>("/usr/sbin/vsftpd"), const_cast<char*>(config.c_str()), nullptr};
    ASSERT_EQ(::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv, environ), 0);
    // vsftpd is ready once its port accepts a connection.
    for (int attempt = 0; attempt < 200; ++attempt) {
      asio::io_context io;
      tcp::socket socket(io);
      boost::system::error_code error;
      socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port_), error);
      if (!error) return;
      ::usleep(20000);
    }
    FAIL() << "vsftpd did not start";
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (user_made_) shell(std::string("userdel ") + kUser + " >/dev/null 2>&1");
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  std::string directory_;
  bool user_made_ = false;
  pid_t pid_ = 0;
  std::uint16_t port_ = 0;
};

TEST_F(VsftpdTest, TheLibraryJourneyWithTheSameReplyCodes) {
  auto tls = make_client_tls_context(std::nullopt);
  ASSERT_TRUE(tls.ok());
  Bytes content(700000);
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<std::uint8_t>(i * 7);
  const Bytes head(content.begin(), content.begin() + 250000);
  auto outcomes = run_ftps_operations(
      tcp::endpoint(asio::ip::address_v4::loopback(), port_), *tls, FtpClientOptions{kUser, kPassword},
      {FtpUploadOperation{"/incoming/disk.img", std::make_shared<BytesSource>(head)},
       FtpUploadOperation{"/incoming/disk.img", std::make_shared<BytesSource>(content),
                          FtpUploadMode::kResumeWithRest},
       FtpDownloadOperation{"/incoming/disk.img"},
       FtpUploadOperation{"/images/x.img", std::make_shared<BytesSource>(head)},
       FtpUploadOperation{"/x.img", std::make_shared<BytesSource>(head)},
       FtpListOperation{"/images", FtpListingKind::kNlst},
       FtpDownloadOperation{"/images/img-00001"},
       FtpRenameOperation{"/incoming/disk.img", "/incoming/renamed.img"},
       FtpDeleteOperation{"/incoming/renamed.img"},
       FtpSizeOperation{"/incoming/renamed.img"}});
  ASSERT_TRUE(outcomes.ok()) << outcomes.status().to_string();
  ASSERT_EQ(outcomes->size(), 11u);
  const auto& o = *outcomes;
  EXPECT_TRUE(o[0].ok) << o[0].reply_text;
  EXPECT_TRUE(o[1].ok) << o[1].reply_text;
  EXPECT_TRUE(o[2].ok) << o[2].reply_text;
  EXPECT_EQ(o[2].size, head.size());
  EXPECT_EQ(o[3].data, content);
  EXPECT_EQ(o[4].reply_code, 553);  // images/ is read-only
  EXPECT_EQ(o[5].reply_code, 553);  // and so is /
  EXPECT_NE(std::string(o[6].data.begin(), o[6].data.end()).find("img-00001"), std::string::npos);
  EXPECT_EQ(std::string(o[7].data.begin(), o[7].data.end()), "an image");
  EXPECT_TRUE(o[8].ok) << o[8].reply_text;
  EXPECT_TRUE(o[9].ok) << o[9].reply_text;
  EXPECT_EQ(o[10].reply_code, 550);
}

}  // namespace
}  // namespace imagelib::net
