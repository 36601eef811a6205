// FtpServerSession: passive listeners, data connections and transfers:
// listings, downloads, uploads, resume, quota, aborts, and the refusal of
// data connections that do not belong to the session.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "reference/ftp/ftp_server_harness.h"

namespace imagelib::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string text_of(const Library& library, const AccountId& account, const FtpPath& path) {
  auto bytes = library.ftp_read(account, path, 0, 1 << 20);
  if (!bytes.ok()) return "<" + bytes.status().to_string() + ">";
  return std::string(bytes->begin(), bytes->end());
}

bool all_digits(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

// The form clients parse: permissions, links, owner, group, size, month, day,
// time or year, name; one line ending in CRLF.
bool is_ls_line(const std::string& line) {
  if (line.size() < 2 || line.substr(line.size() - 2) != "\r\n") return false;
  std::istringstream in(line.substr(0, line.size() - 2));
  std::vector<std::string> fields;
  for (std::string field; in >> field;) fields.push_back(field);
  if (fields.size() != 9) return false;
  const std::string& mode = fields[0];
  const bool time = fields[7].size() == 5 && fields[7][2] == ':';
  return mode.size() == 10 && (mode[0] == '-' || mode[0] == 'd') && all_digits(fields[1]) &&
         all_digits(fields[4]) && fields[5].size() == 3 && all_digits(fields[6]) &&
         (time || (fields[7].size() == 4 && all_digits(fields[7])));
}

class FtpServerTransfer : public ::testing::Test {
 protected:
  FtpServerTransfer() {
    h.fixture.upload(h.fixture.main, "a.img", to_bytes("hello"));
    h.login();
  }
  std::string stored(const std::string& name) const {
    return text_of(h.library, h.fixture.main, incoming(name));
  }
  FtpServerHarness h;
};

TEST_F(FtpServerTransfer, ListInTheLsForm) {
  EXPECT_EQ(h.send("EPSV\r\nLIST\r\n"),
            "229 Entering Extended Passive Mode (|||40000|)\r\n"
            "150 Here comes the directory listing.\r\n226 Directory send OK.\r\n");
  const std::string owner = h.fixture.main;
  EXPECT_EQ(h.last_download(),
            "drwxr-sr-x   2 " + owner + " library      4096 Jan  1  1970 images\r\n"
            "drwxr-sr-x   2 " + owner + " library      4096 Jan  1  1970 incoming\r\n");
  h.send("EPSV\r\nLIST -la incoming\r\n");
  EXPECT_EQ(h.last_download(), "-rw-r--r--   1 " + owner + " library         5 May 19 12:00 a.img\r\n");
  EXPECT_TRUE(is_ls_line(h.last_download())) << h.last_download();
  // Old entries show the year.
  h.now = h.now + std::chrono::hours(24 * 365);
  h.send("EPSV\r\nLIST incoming/a.img\r\n");
  EXPECT_EQ(h.last_download(), "-rw-r--r--   1 " + owner + " library         5 May 19  2011 a.img\r\n");
  EXPECT_TRUE(is_ls_line(h.last_download())) << h.last_download();
}

TEST_F(FtpServerTransfer, ImagesAreListedReadOnly) {
  const Image image = h.fixture.add_image(h.fixture.main, "disk.raw", sample_disk());
  h.send("EPSV\r\nLIST images\r\n");
  EXPECT_THAT(h.last_download(), ::testing::StartsWith("-r--r--r--   1 " + h.fixture.main));
  EXPECT_THAT(h.last_download(), HasSubstr(" " + image.id + "\r\n"));
}

TEST_F(FtpServerTransfer, ListOfAMissingPathIsEmpty) {
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nNLST nosuchdir\r\n")), ElementsAre(229, 150, 226));
  EXPECT_EQ(h.last_download(), "");
}

TEST_F(FtpServerTransfer, Nlst) {
  h.send("EPSV\r\nNLST\r\n");
  EXPECT_EQ(h.last_download(), "images\r\nincoming\r\n");
  h.send("EPSV\r\nNLST incoming\r\n");
  EXPECT_EQ(h.last_download(), "incoming/a.img\r\n");
  h.send("CWD incoming\r\nEPSV\r\nNLST\r\n");
  EXPECT_EQ(h.last_download(), "a.img\r\n");
}

TEST_F(FtpServerTransfer, MlsdFacts) {
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nMLSD incoming\r\n")), ElementsAre(229, 150, 226));
  EXPECT_EQ(h.last_download(), "type=file;size=5;modify=20110519120000;perm=adfrw; a.img\r\n");
  h.send("EPSV\r\nMLSD\r\n");
  EXPECT_EQ(h.last_download(),
            "type=dir;modify=19700101000000;perm=el; images\r\n"
            "type=dir;modify=19700101000000;perm=cel; incoming\r\n");
  EXPECT_EQ(h.send("EPSV\r\nMLSD incoming/a.img\r\n"),
            "229 Entering Extended Passive Mode (|||40002|)\r\n501 Not a directory.\r\n");
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nMLSD nosuch\r\n")), ElementsAre(229, 550));
}

TEST_F(FtpServerTransfer, Retr) {
  EXPECT_EQ(h.send("TYPE I\r\nEPSV\r\nRETR incoming/a.img\r\n"),
            "200 Switching to Binary mode.\r\n"
            "229 Entering Extended Passive Mode (|||40000|)\r\n"
            "150 Opening BINARY mode data connection for incoming/a.img (5 bytes).\r\n"
            "226 Transfer complete.\r\n");
  EXPECT_EQ(h.last_download(), "hello");
  EXPECT_THAT(h.closed_data, ElementsAre(h.last_data()));
}

TEST_F(FtpServerTransfer, RetrFromARestOffset) {
  EXPECT_THAT(reply_codes(h.send("REST 3\r\nEPSV\r\nRETR incoming/a.img\r\n")),
              ElementsAre(350, 229, 150, 226));
  EXPECT_EQ(h.last_download(), "lo");
  // REST applies to one transfer only.
  h.send("EPSV\r\nRETR incoming/a.img\r\n");
  EXPECT_EQ(h.last_download(), "hello");
  // Past the end: nothing, and still 226.
  EXPECT_THAT(reply_codes(h.send("REST 99\r\nEPSV\r\nRETR incoming/a.img\r\n")),
              ElementsAre(350, 229, 150, 226));
  EXPECT_EQ(h.last_download(), "");
}

TEST_F(FtpServerTransfer, RetrOfAnImageWithRest) {
  const Bytes disk = sample_disk(1000);
  const Image image = h.fixture.add_image(h.fixture.main, "disk.raw", disk);
  h.send("REST 990\r\nEPSV\r\nRETR /images/" + image.id + "\r\n");
  EXPECT_EQ(h.last_download(), std::string(disk.begin() + 990, disk.end()));
}

TEST_F(FtpServerTransfer, DownloadsComeInChunks) {
  FtpServerOptions options;
  options.download_chunk_bytes = 1000;
  FtpServerHarness small({}, options);
  Bytes content(10'500, 7);
  small.fixture.upload(small.fixture.main, "big.img", content);
  small.login();
  small.auto_ack_data = false;
  EXPECT_THAT(reply_codes(small.send("EPSV\r\nRETR incoming/big.img\r\n")), ElementsAre(229, 150));
  EXPECT_EQ(small.data_sends, 1u);
  std::string end;
  for (int i = 0; i < 11; ++i) end += small.data_writable();
  EXPECT_EQ(small.data_sends, 11u);
  EXPECT_EQ(end, "226 Transfer complete.\r\n");
  EXPECT_EQ(small.downloads[small.last_data()], content);
}

TEST_F(FtpServerTransfer, RetrRefusals) {
  EXPECT_EQ(h.send("EPSV\r\n"), "229 Entering Extended Passive Mode (|||40000|)\r\n");
  EXPECT_EQ(h.send("RETR incoming/none\r\n"), "550 Failed to open file.\r\n");
  h.send("EPSV\r\n");
  EXPECT_EQ(h.send("RETR images\r\n"), "550 Failed to open file.\r\n");
  // Confined: ../../x from / is /x, which does not exist.
  h.send("EPSV\r\n");
  EXPECT_EQ(h.send("RETR ../../x\r\n"), "550 Failed to open file.\r\n");
  EXPECT_THAT(reply_codes(h.send("CWD incoming\r\nEPSV\r\nRETR ../../incoming/a.img\r\n")),
              ElementsAre(250, 229, 150, 226));
  EXPECT_EQ(h.last_download(), "hello");
  // Every refused command gave its listener and waiting connection up.
  EXPECT_FALSE(h.listener_port);
  EXPECT_EQ(h.refused.size(), 3u);
}

TEST_F(FtpServerTransfer, DataCommandWithoutAListenerIs425) {
  EXPECT_EQ(h.send("RETR incoming/a.img\r\n"), "425 Use PORT or PASV first.\r\n");
  EXPECT_EQ(h.send("LIST\r\n"), "425 Use PORT or PASV first.\r\n");
}

TEST_F(FtpServerTransfer, Stor) {
  EXPECT_EQ(h.send("EPSV\r\nSTOR incoming/new.img\r\n"),
            "229 Entering Extended Passive Mode (|||40000|)\r\n150 Ok to send data.\r\n");
  EXPECT_EQ(h.upload(to_bytes("abc"), std::nullopt), "");
  EXPECT_EQ(h.upload(to_bytes("def")), "226 Transfer complete.\r\n");
  EXPECT_EQ(stored("new.img"), "abcdef");
  // STOR again replaces.
  h.send("EPSV\r\nSTOR incoming/new.img\r\n");
  h.upload(to_bytes("xy"));
  EXPECT_EQ(stored("new.img"), "xy");
}

TEST_F(FtpServerTransfer, StorWhereNotAllowedIs553) {
  const Image image = h.fixture.add_image(h.fixture.main, "disk.raw", sample_disk());
  for (const std::string& target :
       {std::string("images/x.bin"), std::string("/x.bin"), std::string("incoming/../images/y.bin"),
        std::string("incoming/sub/x.bin"), "images/" + image.id}) {
    const std::string answer = h.send("EPSV\r\nSTOR " + target + "\r\n");
    EXPECT_THAT(reply_codes(answer), ElementsAre(229, 553)) << target;
    EXPECT_THAT(answer, HasSubstr("\r\n553 Could not create file.\r\n")) << target;
  }
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nAPPE images/" + image.id + "\r\n")), ElementsAre(229, 553));
  EXPECT_THAT(h.send("EPSV\r\nSTOR incoming/bad*name\r\n"), HasSubstr("553 Could not create file: "));
  EXPECT_THAT(h.tls_started, IsEmpty());
}

TEST_F(FtpServerTransfer, ResumeWithRestAndStor) {
  EXPECT_THAT(reply_codes(h.send("REST 3\r\nEPSV\r\nSTOR incoming/a.img\r\n")),
              ElementsAre(350, 229, 150));
  h.upload(to_bytes("LO!"));
  EXPECT_EQ(stored("a.img"), "helLO!");
}

TEST_F(FtpServerTransfer, ResumeWithAppe) {
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nAPPE incoming/a.img\r\n")), ElementsAre(229, 150));
  EXPECT_EQ(h.upload(to_bytes(" world")), "226 Transfer complete.\r\n");
  EXPECT_EQ(stored("a.img"), "hello world");
  // APPE to a new file creates it.
  h.send("EPSV\r\nAPPE incoming/fresh.img\r\n");
  h.upload(to_bytes("x"));
  EXPECT_EQ(stored("fresh.img"), "x");
}

TEST_F(FtpServerTransfer, ResetUploadLeavesThePartInIncoming) {
  h.send("EPSV\r\nSTOR incoming/part.img\r\n");
  EXPECT_EQ(h.upload(to_bytes("first half"), DataCloseReason::kReset),
            "426 Failure reading network stream.\r\n");
  EXPECT_EQ(stored("part.img"), "first half");
  // And it resumes: SIZE, REST, STOR.
  EXPECT_EQ(h.send("SIZE incoming/part.img\r\n"), "213 10\r\n");
  h.send("REST 10\r\nEPSV\r\nSTOR incoming/part.img\r\n");
  h.upload(to_bytes(", second"));
  EXPECT_EQ(stored("part.img"), "first half, second");
}

TEST_F(FtpServerTransfer, ControlClosedDuringAnUploadKeepsThePart) {
  h.send("EPSV\r\nSTOR incoming/part.img\r\n");
  h.upload(to_bytes("some"), std::nullopt);
  const DataConnectionId data = h.last_data();
  FtpServerActions actions = h.session.on_control_closed(h.now);
  ASSERT_EQ(actions.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<FtpCloseData>(actions[0]));
  EXPECT_EQ(std::get<FtpCloseData>(actions[0]).data, data);
  EXPECT_EQ(stored("part.img"), "some");
}

TEST_F(FtpServerTransfer, QuotaIs552) {
  LibraryOptions options;
  options.quota_bytes = 20;
  FtpServerHarness small(options);
  small.login();
  small.send("EPSV\r\nSTOR incoming/q.img\r\n");
  EXPECT_EQ(small.upload(to_bytes("0123456789"), std::nullopt), "");
  EXPECT_EQ(small.upload(to_bytes("0123456789ABC"), std::nullopt), "552 Storage quota exceeded.\r\n");
  EXPECT_THAT(small.closed_data, ElementsAre(small.last_data()));
  // What fitted stays; later bytes on the closed connection are ignored.
  EXPECT_EQ(small.upload(to_bytes("more")), "");
  EXPECT_EQ(text_of(small.library, small.fixture.main, incoming("q.img")), "0123456789");
  EXPECT_EQ(small.send("NOOP\r\n"), "200 NOOP ok.\r\n");
}

TEST_F(FtpServerTransfer, DataConnectionFromAnotherPeerIsRefused) {
  h.auto_connect_data = false;
  h.send("EPSV\r\n");
  const DataConnectionId intruder = h.connect_data("203.0.113.66");
  EXPECT_THAT(h.refused, ElementsAre(intruder));
  // The session's own client still gets its transfer.
  h.connect_data();
  EXPECT_THAT(reply_codes(h.send("RETR incoming/a.img\r\n")), ElementsAre(150, 226));
  EXPECT_EQ(h.last_download(), "hello");
  EXPECT_THAT(h.downloads, ::testing::SizeIs(1));
}

TEST_F(FtpServerTransfer, IntruderWhileACommandWaitsFailsItWith425) {
  h.auto_connect_data = false;
  h.auto_wake = false;
  h.send("EPSV\r\n");
  EXPECT_EQ(h.send("RETR incoming/a.img\r\n"), "");
  const DataConnectionId intruder = h.connect_data("203.0.113.66");
  EXPECT_THAT(h.refused, ElementsAre(intruder));
  EXPECT_EQ(h.replies.substr(h.replies.rfind("425")), "425 Security: Bad IP connecting.\r\n");
  EXPECT_THAT(h.downloads, IsEmpty());
  EXPECT_FALSE(h.listener_port);
}

TEST_F(FtpServerTransfer, DataSessionResumedFromAnotherControlSessionIs425) {
  h.data_resumed_from = "tls-of-another-login";
  EXPECT_EQ(h.send("EPSV\r\nRETR incoming/a.img\r\n"),
            "229 Entering Extended Passive Mode (|||40000|)\r\n"
            "150 Opening ASCII mode data connection for incoming/a.img (5 bytes).\r\n"
            "425 Unable to build data connection: Operation not permitted.\r\n");
  EXPECT_THAT(h.downloads, IsEmpty());
  EXPECT_THAT(h.closed_data, ElementsAre(h.last_data()));
}

TEST_F(FtpServerTransfer, UploadOnAForeignTlsSessionWritesNothing) {
  h.data_resumed_from = "tls-of-another-login";
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nSTOR incoming/x.img\r\n")), ElementsAre(229, 150, 425));
  EXPECT_EQ(h.upload(to_bytes("stolen")), "");
  EXPECT_EQ(stored("x.img"), "");
}

TEST_F(FtpServerTransfer, SecondConnectionToTheListenerIsRefused) {
  h.send("EPSV\r\n");  // the harness connected once already
  const DataConnectionId second = h.connect_data();
  EXPECT_THAT(h.refused, ElementsAre(second));
}

TEST_F(FtpServerTransfer, ClientResetDuringDownloadIs426) {
  h.auto_ack_data = false;
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nRETR incoming/a.img\r\n")), ElementsAre(229, 150));
  EXPECT_EQ(h.close_data(DataCloseReason::kReset), "426 Failure writing network stream.\r\n");
  EXPECT_EQ(h.send("ABOR\r\n"), "225 No transfer to ABOR.\r\n");
}

TEST_F(FtpServerTransfer, AborDuringADownload) {
  h.auto_ack_data = false;
  h.send("EPSV\r\nRETR incoming/a.img\r\n");
  EXPECT_EQ(h.send("NOOP\r\n\xff\xf4\xff\xf2" "ABOR\r\n"),
            "426 Failure writing network stream.\r\n226 ABOR successful.\r\n200 NOOP ok.\r\n");
  EXPECT_THAT(h.closed_data, ElementsAre(h.last_data()));
  // Late events of the aborted connection change nothing.
  EXPECT_EQ(h.data_writable(), "");
  EXPECT_EQ(h.close_data(DataCloseReason::kFinished), "");
}

TEST_F(FtpServerTransfer, AborDuringAnUpload) {
  h.send("EPSV\r\nSTOR incoming/u.img\r\n");
  h.upload(to_bytes("part"), std::nullopt);
  EXPECT_EQ(h.send("ABOR\r\n"),
            "426 Failure reading network stream.\r\n226 ABOR successful.\r\n");
  EXPECT_EQ(stored("u.img"), "part");
}

TEST_F(FtpServerTransfer, AborBeforeTheDataConnectionCame) {
  h.auto_connect_data = false;
  h.auto_wake = false;
  h.send("EPSV\r\nLIST\r\n");
  EXPECT_EQ(h.send("ABOR\r\n"), "425 Failed to establish connection.\r\n226 ABOR successful.\r\n");
}

TEST_F(FtpServerTransfer, CommandsWaitForTheTransfer) {
  h.auto_ack_data = false;
  h.send("EPSV\r\nRETR incoming/a.img\r\n");
  EXPECT_EQ(h.send("PWD\r\n"), "");
  EXPECT_EQ(h.data_writable(),
            "226 Transfer complete.\r\n257 \"/\" is the current directory\r\n");
}

TEST_F(FtpServerTransfer, DataConnectionThatNeverComesTimesOut) {
  h.auto_connect_data = false;
  h.auto_wake = false;
  h.send("EPSV\r\nLIST\r\n");
  ASSERT_TRUE(h.wake_requested);
  EXPECT_EQ(h.wake(*h.wake_requested - std::chrono::seconds(1)), "");
  EXPECT_EQ(h.wake(*h.wake_requested), "425 Failed to establish connection.\r\n");
  EXPECT_FALSE(h.listener_port);
}

TEST_F(FtpServerTransfer, DataConnectionClosedDuringItsHandshakeIs425) {
  h.auto_data_tls = false;
  h.auto_wake = false;
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nLIST\r\n")), ElementsAre(229, 150));
  EXPECT_EQ(h.close_data(DataCloseReason::kReset), "425 Failed to establish connection.\r\n");
}

TEST_F(FtpServerTransfer, ConnectionBeforeOrAfterTheCommandBothWork) {
  h.auto_connect_data = false;
  h.auto_wake = false;
  h.send("EPSV\r\n");
  h.connect_data();  // like curl: before the command
  EXPECT_THAT(reply_codes(h.send("RETR incoming/a.img\r\n")), ElementsAre(150, 226));
  h.send("EPSV\r\n");
  EXPECT_EQ(h.send("RETR incoming/a.img\r\n"), "");  // like ftplib: after it
  h.connect_data();
  const std::vector<int> codes = reply_codes(h.replies);
  ASSERT_GE(codes.size(), 3u);
  EXPECT_THAT(std::vector<int>(codes.end() - 3, codes.end()), ElementsAre(229, 150, 226));
  EXPECT_EQ(h.last_download(), "hello");
}

}  // namespace
}  // namespace imagelib::testing
