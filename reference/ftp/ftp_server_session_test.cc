// FtpServerSession: every row of SPEC §4 and the commands that only talk
// (login, TLS, settings, FEAT, HELP, STAT), driven by FtpServerHarness.
#include "reference/ftp/ftp_server_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reference/ftp/ftp_server_harness.h"

namespace imagelib::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(FtpServerSpecTable, ConnectGreetsWith220) {
  FtpServerHarness h;
  EXPECT_EQ(h.replies, "220 Image library FTPS (imagelib)\r\n");
}

TEST(FtpServerSpecTable, AuthTlsOrSslInAnyCaseStartsTheHandshake) {
  for (const char* kind : {"TLS", "SSL", "TLS-C", "TLS-P", "tls", "Ssl"}) {
    FtpServerHarness h;
    h.auto_control_tls = false;
    EXPECT_EQ(h.send(std::string("AUTH ") + kind + "\r\n"), "234 Proceed with negotiation.\r\n")
        << kind;
    // Until the handshake ends nothing runs.
    EXPECT_EQ(h.send("NOOP\r\n"), "");
    EXPECT_EQ(h.run(h.session.on_control_tls_established("t", h.now)), "");
    EXPECT_EQ(h.send("PBSZ 0\r\n"), "200 PBSZ set to 0.\r\n");
  }
}

TEST(FtpServerSpecTable, UnknownAuthTypeIs504) {
  FtpServerHarness h;
  EXPECT_EQ(h.send("AUTH XYZ\r\n"), "504 Unknown AUTH type.\r\n");
  EXPECT_EQ(h.send("AUTH\r\n"), "504 Unknown AUTH type.\r\n");
}

TEST(FtpServerSpecTable, PlainTextAfterAuthNeverReachesTheSecureChannel) {
  FtpServerHarness h;
  h.auto_control_tls = false;
  EXPECT_EQ(h.send("AUTH TLS\r\nUSER " + h.fixture.main + "\r\n"),
            "234 Proceed with negotiation.\r\n");
  h.run(h.session.on_control_tls_established("t", h.now));
  EXPECT_EQ(h.send("PASS " + h.password + "\r\n"), "503 Login with USER first.\r\n");
}

TEST(FtpServerSpecTable, UserBeforeTlsIs530AndCloses) {
  FtpServerHarness h;
  EXPECT_EQ(h.send("USER " + h.fixture.main + "\r\n"),
            "530 Non-anonymous sessions must use encryption.\r\n");
  EXPECT_TRUE(h.control_closed);
  EXPECT_TRUE(h.session.is_closed());
  EXPECT_EQ(h.send("NOOP\r\n"), "");
}

TEST(FtpServerSpecTable, PbszAndProtBeforeTlsAre503) {
  FtpServerHarness h;
  EXPECT_EQ(h.send("PBSZ 0\r\n"), "503 PBSZ needs a secure connection.\r\n");
  EXPECT_EQ(h.send("PROT P\r\n"), "503 PROT needs a secure connection.\r\n");
}

TEST(FtpServerSpecTable, OtherCommandsBeforeLoginAre530) {
  FtpServerHarness h;
  for (const char* line : {"SYST", "NOOP", "LIST", "XYZZY", "PWD"}) {
    EXPECT_EQ(h.send(std::string(line) + "\r\n"), "530 Please login with USER and PASS.\r\n");
  }
  h.send("AUTH TLS\r\n");
  for (const char* line : {"PWD", "CWD images", "EPSV", "AUTH TLS"}) {
    EXPECT_EQ(h.send(std::string(line) + "\r\n"), "530 Please login with USER and PASS.\r\n");
  }
}

TEST(FtpServerSpecTable, PassWithoutUserIs503) {
  FtpServerHarness h;
  h.send("AUTH TLS\r\n");
  EXPECT_EQ(h.send("PASS x\r\n"), "503 Login with USER first.\r\n");
}

TEST(FtpServerSpecTable, WrongPasswordIs530AfterADelay) {
  FtpServerOptions options;
  options.login_failure_delay = std::chrono::seconds(3);
  FtpServerHarness h({}, options);
  h.auto_wake = false;
  h.send("AUTH TLS\r\n");
  EXPECT_EQ(h.send("USER " + h.fixture.main + "\r\n"), "331 Please specify the password.\r\n");
  const Timestamp asked = h.now;
  EXPECT_EQ(h.send("PASS wrong\r\n"), "");
  ASSERT_TRUE(h.wake_requested);
  EXPECT_EQ(*h.wake_requested, asked + std::chrono::seconds(3));
  // Commands that follow wait behind the delay.
  EXPECT_EQ(h.send("NOOP\r\n"), "");
  EXPECT_EQ(h.wake(asked + std::chrono::seconds(3)),
            "530 Login incorrect.\r\n530 Please login with USER and PASS.\r\n");
  EXPECT_FALSE(h.session.account());
}

TEST(FtpServerSpecTable, UnknownUserIsRefusedLikeAWrongPassword) {
  FtpServerHarness h;
  h.send("AUTH TLS\r\n");
  EXPECT_EQ(h.send("USER acc-nobody\r\nPASS " + h.password + "\r\n"),
            "331 Please specify the password.\r\n530 Login incorrect.\r\n");
}

TEST(FtpServerSpecTable, GoodLoginIs230) {
  FtpServerHarness h;
  h.send("AUTH TLS\r\n");
  EXPECT_EQ(h.send("USER " + h.fixture.main + "\r\nPASS " + h.password + "\r\n"),
            "331 Please specify the password.\r\n230 Login successful.\r\n");
  EXPECT_EQ(h.session.account(), h.fixture.main);
}

TEST(FtpServerSpecTable, PbszAndProtPAre200) {
  FtpServerHarness h;
  h.send("AUTH TLS\r\n");
  EXPECT_EQ(h.send("PBSZ 0\r\nPROT P\r\n"), "200 PBSZ set to 0.\r\n200 PROT now Private.\r\n");
  EXPECT_EQ(h.send("PBSZ 1024\r\n"), "200 PBSZ set to 0.\r\n");
}

TEST(FtpServerSpecTable, ProtLevels) {
  FtpServerHarness h;
  h.login();
  EXPECT_EQ(h.send("PROT S\r\n"), "536 PROT not supported.\r\n");
  EXPECT_EQ(h.send("PROT E\r\n"), "536 PROT not supported.\r\n");
  EXPECT_EQ(h.send("PROT X\r\n"), "504 PROT not recognized.\r\n");
  EXPECT_EQ(h.send("PROT c\r\n"), "200 PROT now Clear.\r\n");
  EXPECT_EQ(h.send("PROT p\r\n"), "200 PROT now Private.\r\n");
}

TEST(FtpServerSpecTable, DataCommandWithProtClearIs522) {
  FtpServerHarness h;
  h.login();
  h.send("PROT C\r\n");
  EXPECT_THAT(reply_codes(h.send("EPSV\r\nNLST\r\n")), ElementsAre(229, 522));
  EXPECT_THAT(h.replies, HasSubstr("522 Data connections must be encrypted.\r\n"));
  EXPECT_TRUE(h.tls_started.empty());
  EXPECT_FALSE(h.listener_port);
}

TEST(FtpServerSpecTable, DataTlsWithoutSessionReuseIs522) {
  FtpServerHarness h;
  h.login();
  h.data_resumed_from.reset();
  EXPECT_EQ(h.send("EPSV\r\nLIST\r\n"),
            "229 Entering Extended Passive Mode (|||40000|)\r\n"
            "150 Here comes the directory listing.\r\n"
            "522 SSL connection failed: session reuse required\r\n");
  EXPECT_TRUE(h.downloads.empty());
  EXPECT_THAT(h.closed_data, ElementsAre(h.last_data()));
  // The control session goes on.
  EXPECT_EQ(h.send("NOOP\r\n"), "200 NOOP ok.\r\n");
}

TEST(FtpServerSpecTable, EpsvAndPasvAnswerWithThePort) {
  FtpServerHarness h;
  h.login();
  EXPECT_EQ(h.send("EPSV\r\n"), "229 Entering Extended Passive Mode (|||40000|)\r\n");
  EXPECT_EQ(h.send("PASV\r\n"), "227 Entering Passive Mode (127,0,0,1,156,65).\r\n");
  EXPECT_EQ(h.listener_port, 40001);
  // The first listener and its waiting connection were given up.
  EXPECT_THAT(h.refused, ElementsAre(1));
}

TEST(FtpServerSpecTable, PasvIsRefusedAfterEpsvAll) {
  FtpServerHarness h;
  h.login();
  EXPECT_EQ(h.send("EPSV ALL\r\n"), "200 EPSV ALL ok.\r\n");
  EXPECT_EQ(h.send("PASV\r\n"), "550 Permission denied.\r\n");
  EXPECT_EQ(h.send("EPSV\r\n"), "229 Entering Extended Passive Mode (|||40000|)\r\n");
  EXPECT_EQ(h.send("EPSV 3\r\n"), "522 Bad network protocol.\r\n");
}

TEST(FtpServerSpecTable, PasvWithoutAnIpv4AddressIs425) {
  FtpServerHarness h;
  h.login();
  FtpServerActions actions = h.session.on_control_bytes(to_bytes("PASV\r\n"), h.now);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<FtpOpenPassiveListener>(actions[0]));
  EXPECT_THAT(h.run(h.session.on_passive_listener_opened(40000, "::1", h.now)), StartsWith("425 "));
}

TEST(FtpServerSpecTable, ListenerFailureIs425) {
  FtpServerHarness h;
  h.login();
  FtpServerActions actions = h.session.on_control_bytes(to_bytes("EPSV\r\nNOOP\r\n"), h.now);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(h.run(h.session.on_passive_listener_failed(h.now)),
            "425 Could not listen for passive connection.\r\n200 NOOP ok.\r\n");
}

TEST(FtpServerSpecTable, QuitIs221AndCloses) {
  FtpServerHarness h;
  EXPECT_EQ(h.send("QUIT\r\n"), "221 Goodbye.\r\n");
  EXPECT_TRUE(h.control_closed);
}

TEST(FtpServerSpecTable, FeatListsTheFeatures) {
  FtpServerHarness h;
  const std::string feat =
      "211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n MLST type*;size*;modify*;perm*;\r\n PASV\r\n"
      " PBSZ\r\n PROT\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n";
  EXPECT_EQ(h.send("FEAT\r\n"), feat);  // before TLS
  h.login();
  EXPECT_EQ(h.send("FEAT\r\n"), feat);
}

TEST(FtpServerSpecTable, ActiveModeIs502) {
  FtpServerHarness h;
  h.login();
  EXPECT_THAT(reply_codes(h.send("PORT 127,0,0,1,156,64\r\nEPRT |1|127.0.0.1|40000|\r\n")),
              ElementsAre(502, 502));
}

TEST(FtpServerLogin, SecondUserAndPassAfterLogin) {
  FtpServerHarness h;
  h.login();
  EXPECT_EQ(h.send("USER " + h.fixture.alt + "\r\n"), "530 Can't change to another user.\r\n");
  EXPECT_EQ(h.send("PASS x\r\n"), "230 Already logged in.\r\n");
}

TEST(FtpServerLogin, AnonymousIsRefused) {
  FtpServerHarness h;
  h.send("AUTH TLS\r\n");
  EXPECT_EQ(h.send("USER anonymous\r\n"), "530 Anonymous sessions may not use encryption.\r\n");
  EXPECT_EQ(h.send("USER\r\n"), "501 Syntax error in parameters or arguments.\r\n");
}

TEST(FtpServerLogin, BeforeAnyResetEveryLoginFails) {
  FtpServerHarness h;
  h.send("AUTH TLS\r\n");
  EXPECT_EQ(h.send("USER " + h.fixture.alt + "\r\nPASS \r\n"),
            "331 Please specify the password.\r\n530 Login incorrect.\r\n");
}

TEST(FtpServerLogin, TooManyFailuresCloseTheSession) {
  FtpServerOptions options;
  options.max_login_failures = 2;
  FtpServerHarness h({}, options);
  h.send("AUTH TLS\r\n");
  const std::string attempt = "USER " + h.fixture.main + "\r\nPASS bad\r\n";
  EXPECT_THAT(reply_codes(h.send(attempt)), ElementsAre(331, 530));
  EXPECT_FALSE(h.control_closed);
  EXPECT_THAT(reply_codes(h.send(attempt + "NOOP\r\n")), ElementsAre(331, 530));
  EXPECT_TRUE(h.control_closed);
}

TEST(FtpServerLogin, RetryAfterAFailureWorks) {
  FtpServerHarness h;
  h.send("AUTH TLS\r\n");
  EXPECT_THAT(reply_codes(h.send("USER " + h.fixture.main + "\r\nPASS bad\r\nUSER " +
                                 h.fixture.main + "\r\nPASS " + h.password + "\r\n")),
              ElementsAre(331, 530, 331, 230));
}

TEST(FtpServerLogin, LoggedInSessionOutlivesAPasswordReset) {
  FtpServerHarness h;
  h.login();
  ASSERT_TRUE(h.library.reset_ftp_password(h.fixture.main, h.fixture.main).ok());
  EXPECT_EQ(h.send("PWD\r\n"), "257 \"/\" is the current directory\r\n");
  // A new session with the old password fails.
  FtpServerSession other(h.library, {}, "198.51.100.7");
  other.on_connected(h.now);
  other.on_control_bytes(to_bytes("AUTH TLS\r\n"), h.now);
  other.on_control_tls_established("t2", h.now);
  other.on_control_bytes(to_bytes("USER " + h.fixture.main + "\r\n"), h.now);
  auto actions = other.on_control_bytes(to_bytes("PASS " + h.password + "\r\n"), h.now);
  ASSERT_EQ(actions.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<FtpWakeAt>(actions[0]));
  auto late = other.on_wake(std::get<FtpWakeAt>(actions[0]).at);
  ASSERT_FALSE(late.empty());
  EXPECT_EQ(std::get<FtpSendReply>(late[0]).text, "530 Login incorrect.\r\n");
}

TEST(FtpServerCommands, Settings) {
  FtpServerHarness h;
  h.login();
  EXPECT_EQ(h.send("SYST\r\n"), "215 UNIX Type: L8\r\n");
  EXPECT_EQ(h.send("NOOP\r\n"), "200 NOOP ok.\r\n");
  EXPECT_EQ(h.send("TYPE A\r\n"), "200 Switching to ASCII mode.\r\n");
  EXPECT_EQ(h.send("TYPE I\r\n"), "200 Switching to Binary mode.\r\n");
  EXPECT_EQ(h.send("TYPE L 8\r\n"), "200 Switching to Binary mode.\r\n");
  EXPECT_EQ(h.send("TYPE X\r\n"), "500 Unrecognised TYPE command.\r\n");
  EXPECT_EQ(h.send("MODE S\r\n"), "200 Mode set to S.\r\n");
  EXPECT_EQ(h.send("MODE B\r\n"), "504 Bad MODE command.\r\n");
  EXPECT_EQ(h.send("STRU F\r\n"), "200 Structure set to F.\r\n");
  EXPECT_EQ(h.send("STRU R\r\n"), "504 Bad STRU command.\r\n");
  EXPECT_EQ(h.send("OPTS UTF8 ON\r\n"), "200 Always in UTF8 mode.\r\n");
  EXPECT_EQ(h.send("OPTS FOO\r\n"), "501 Option not understood.\r\n");
  EXPECT_EQ(h.send("ALLO 100\r\n"), "202 ALLO command ignored.\r\n");
  EXPECT_EQ(h.send("REIN\r\n"), "502 REIN not implemented.\r\n");
  EXPECT_EQ(h.send("ABOR\r\n"), "225 No transfer to ABOR.\r\n");
  EXPECT_EQ(h.send("AUTH TLS\r\n"), "503 Already using TLS.\r\n");
}

TEST(FtpServerCommands, OptsMlstSelectsFacts) {
  FtpServerHarness h;
  h.login();
  EXPECT_EQ(h.send("OPTS MLST size;TYPE;bogus;\r\n"), "200 MLST OPTS size;type;\r\n");
  EXPECT_THAT(h.send("FEAT\r\n"), HasSubstr(" MLST type*;size*;modify;perm;\r\n"));
  EXPECT_THAT(h.send("MLST /\r\n"), HasSubstr("\r\n type=dir; /\r\n"));
}

TEST(FtpServerCommands, UnknownCommandsAndMissingArguments) {
  FtpServerHarness h;
  h.login();
  EXPECT_EQ(h.send("XYZZY\r\n"), "500 Unknown command.\r\n");
  EXPECT_EQ(h.send("\r\n"), "500 Unknown command.\r\n");
  EXPECT_EQ(h.send("CCC\r\n"), "500 Unknown command.\r\n");
  for (const char* verb : {"RETR", "STOR", "APPE", "CWD", "DELE", "RNFR", "RNTO", "MKD", "RMD",
                           "SIZE", "MDTM", "REST", "TYPE", "MODE", "STRU", "PROT", "OPTS"}) {
    EXPECT_EQ(h.send(std::string(verb) + "\r\n"), "501 Syntax error in parameters or arguments.\r\n")
        << verb;
  }
}

TEST(FtpServerCommands, TooLongLineIs500AndDiscarded) {
  FtpServerOptions options;
  options.max_line_length = 64;
  FtpServerHarness h({}, options);
  h.login();
  EXPECT_EQ(h.send("NOOP " + std::string(100, 'x') + "\r\nNOOP\r\n"),
            "500 Command line too long.\r\n200 NOOP ok.\r\n");
  // A long line split over many reads is still one 500.
  std::string answer;
  for (int i = 0; i < 10; ++i) answer += h.send(std::string(30, 'y'));
  answer += h.send("\r\nSYST\r\n");
  EXPECT_EQ(answer, "500 Command line too long.\r\n215 UNIX Type: L8\r\n");
}

TEST(FtpServerCommands, TooManyWaitingLinesClose) {
  FtpServerOptions options;
  options.max_pending_lines = 4;
  FtpServerHarness h({}, options);
  h.login();
  h.auto_wake = false;
  h.auto_connect_data = false;
  h.send("EPSV\r\nRETR x\r\n");  // 550 at once: nothing waits
  h.send("EPSV\r\nLIST\r\n");    // waits for its data connection
  EXPECT_EQ(h.send("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"),
            "421 Too many commands waiting; closing the control connection.\r\n");
  EXPECT_TRUE(h.control_closed);
}

TEST(FtpServerCommands, HelpListsTheCommands) {
  FtpServerHarness h;
  h.login();
  const std::string help = h.send("HELP\r\n");
  EXPECT_THAT(help, StartsWith("214-The following commands are recognized.\r\n ABOR ACCT"));
  EXPECT_THAT(help, HasSubstr(" MLSD MLST"));
  EXPECT_THAT(help, HasSubstr("214 Help OK.\r\n"));
  EXPECT_THAT(reply_codes(help), ElementsAre(214));
}

TEST(FtpServerCommands, StatShowsTheSession) {
  FtpServerHarness h;
  h.login();
  const std::string stat = h.send("STAT\r\n");
  EXPECT_THAT(stat, StartsWith("211-FTP server status:\r\n"));
  EXPECT_THAT(stat, HasSubstr("     Logged in as " + h.fixture.main + "\r\n"));
  EXPECT_THAT(stat, HasSubstr("     Data connections will be encrypted\r\n"));
  EXPECT_THAT(reply_codes(stat), ElementsAre(211));
}

TEST(FtpServerCommands, ControlClosedEndsEverything) {
  FtpServerHarness h;
  h.login();
  h.auto_connect_data = false;
  h.send("EPSV\r\n");
  FtpServerActions actions = h.session.on_control_closed(h.now);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<FtpClosePassiveListener>(actions[0]));
  EXPECT_TRUE(h.session.is_closed());
  EXPECT_TRUE(h.session.on_control_bytes(to_bytes("NOOP\r\n"), h.now).empty());
}

}  // namespace
}  // namespace imagelib::testing
