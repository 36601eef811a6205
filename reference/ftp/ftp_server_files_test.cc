// FtpServerSession: commands on the namespace without a data connection, and
// path confinement through the protocol (SPEC §3 "The FTP namespace").
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reference/ftp/ftp_server_harness.h"

namespace imagelib::testing {
namespace {

using ::testing::ElementsAre;

class FtpServerFiles : public ::testing::Test {
 protected:
  FtpServerFiles() {
    h.fixture.upload(h.fixture.main, "a.img", to_bytes("hello"));
    h.login();
  }
  FtpServerHarness h;
};

TEST_F(FtpServerFiles, PwdCwdCdupAndConfinement) {
  EXPECT_EQ(h.send("PWD\r\n"), "257 \"/\" is the current directory\r\n");
  EXPECT_EQ(h.send("CWD images\r\n"), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(h.send("XPWD\r\n"), "257 \"/images\" is the current directory\r\n");
  EXPECT_EQ(h.send("CDUP\r\n"), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(h.send("PWD\r\n"), "257 \"/\" is the current directory\r\n");
  EXPECT_EQ(h.send("CWD ../..\r\n"), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(h.send("PWD\r\n"), "257 \"/\" is the current directory\r\n");
  EXPECT_EQ(h.send("CWD /incoming/../../../incoming\r\n"), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(h.session.working_directory(), "/incoming");
  EXPECT_EQ(h.send("CWD nosuch\r\n"), "550 Failed to change directory.\r\n");
  EXPECT_EQ(h.send("CWD a.img\r\n"), "550 Failed to change directory.\r\n");
  EXPECT_EQ(h.send("XCUP\r\n"), "250 Directory successfully changed.\r\n");
  EXPECT_EQ(h.session.working_directory(), "/");
}

TEST_F(FtpServerFiles, SizeAndMdtm) {
  EXPECT_EQ(h.send("SIZE incoming/a.img\r\n"), "213 5\r\n");
  EXPECT_EQ(h.send("SIZE /incoming/nosuch\r\n"), "550 Could not get file size.\r\n");
  EXPECT_EQ(h.send("SIZE images\r\n"), "550 Could not get file size.\r\n");
  EXPECT_EQ(h.send("MDTM incoming/a.img\r\n"), "213 20110519120000\r\n");
  EXPECT_EQ(h.send("MDTM incoming/none\r\n"), "550 Could not get file modification time.\r\n");
}

TEST_F(FtpServerFiles, Dele) {
  const Image image = h.fixture.add_image(h.fixture.main, "disk.raw", sample_disk());
  EXPECT_EQ(h.send("DELE incoming/a.img\r\n"), "250 Delete operation successful.\r\n");
  EXPECT_FALSE(h.library.ftp_stat(h.fixture.main, incoming("a.img")).ok());
  EXPECT_EQ(h.send("DELE incoming/a.img\r\n"), "550 Delete operation failed.\r\n");
  EXPECT_EQ(h.send("DELE images/" + image.id + "\r\n"), "550 Delete operation failed.\r\n");
  EXPECT_EQ(h.send("DELE images\r\n"), "550 Delete operation failed.\r\n");
  EXPECT_TRUE(h.library.ftp_stat(h.fixture.main, images(image.id)).ok());
}

TEST_F(FtpServerFiles, RenameInsideIncoming) {
  EXPECT_EQ(h.send("RNFR incoming/a.img\r\nRNTO incoming/b.img\r\n"),
            "350 Ready for RNTO.\r\n250 Rename successful.\r\n");
  EXPECT_TRUE(h.library.ftp_stat(h.fixture.main, incoming("b.img")).ok());
  EXPECT_EQ(h.send("RNFR incoming/b.img\r\nRNTO images/b.img\r\n"),
            "350 Ready for RNTO.\r\n550 Rename failed.\r\n");
  EXPECT_EQ(h.send("RNFR incoming/b.img\r\nRNTO incoming/bad name\r\n"),
            "350 Ready for RNTO.\r\n550 Rename failed.\r\n");
}

TEST_F(FtpServerFiles, RenameRefusals) {
  const Image image = h.fixture.add_image(h.fixture.main, "disk.raw", sample_disk());
  EXPECT_EQ(h.send("RNFR images/" + image.id + "\r\n"), "550 Permission denied.\r\n");
  EXPECT_EQ(h.send("RNFR incoming/nosuch\r\n"), "550 RNFR command failed.\r\n");
  EXPECT_EQ(h.send("RNTO incoming/x\r\n"), "503 RNFR required first.\r\n");
  // RNTO must follow RNFR at once.
  EXPECT_EQ(h.send("RNFR incoming/a.img\r\nNOOP\r\nRNTO incoming/x\r\n"),
            "350 Ready for RNTO.\r\n200 NOOP ok.\r\n503 RNFR required first.\r\n");
}

TEST_F(FtpServerFiles, NoFoldersAnywhere) {
  EXPECT_EQ(h.send("MKD incoming/sub\r\n"), "550 Create directory operation failed.\r\n");
  EXPECT_EQ(h.send("XMKD images/sub\r\n"), "550 Create directory operation failed.\r\n");
  EXPECT_EQ(h.send("RMD images\r\n"), "550 Remove directory operation failed.\r\n");
  EXPECT_EQ(h.send("XRMD incoming\r\n"), "550 Remove directory operation failed.\r\n");
}

TEST_F(FtpServerFiles, Rest) {
  EXPECT_EQ(h.send("REST 100\r\n"), "350 Restart position accepted (100).\r\n");
  EXPECT_EQ(h.send("REST abc\r\n"), "501 REST requires a non-negative number.\r\n");
  EXPECT_EQ(h.send("REST -1\r\n"), "501 REST requires a non-negative number.\r\n");
  EXPECT_EQ(h.send("REST 99999999999999999999999\r\n"),
            "501 REST requires a non-negative number.\r\n");
  EXPECT_EQ(h.send("REST 18446744073709551615\r\n"),
            "350 Restart position accepted (18446744073709551615).\r\n");
}

TEST_F(FtpServerFiles, MlstFacts) {
  EXPECT_EQ(h.send("MLST incoming/a.img\r\n"),
            "250-Listing /incoming/a.img\r\n"
            " type=file;size=5;modify=20110519120000;perm=adfrw; /incoming/a.img\r\n"
            "250 End\r\n");
  EXPECT_EQ(h.send("CWD images\r\nMLST\r\n"),
            "250 Directory successfully changed.\r\n"
            "250-Listing /images\r\n type=dir;modify=19700101000000;perm=el; /images\r\n250 End\r\n");
  EXPECT_EQ(h.send("MLST /incoming/none\r\n"), "550 No such file or directory.\r\n");
}

TEST_F(FtpServerFiles, StatOfAPathListsIt) {
  EXPECT_EQ(h.send("STAT incoming\r\n"),
            "213-Status follows:\r\n"
            "-rw-r--r--   1 " + h.fixture.main + " library         5 May 19 12:00 a.img\r\n"
            "213 End of status\r\n");
}

}  // namespace
}  // namespace imagelib::testing
