// FtpClientSession against a scripted server: the login, each operation's
// commands, the EPSV to PASV fallback, and how failures end operations.
#include "reference/ftp/ftp_client_session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "reference/base/blob.h"

namespace imagelib {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const Timestamp kAt = Timestamp::from_unix_seconds(1'800'000'000);

// What a list of actions asks for, as short text: "> USER u", "tls", "connect 1:40000", ...
std::vector<std::string> describe(const FtpClientActions& actions) {
  std::vector<std::string> out;
  for (const FtpClientAction& action : actions) {
    if (auto* command = std::get_if<FtpSendCommand>(&action)) {
      out.push_back("> " + command->line.substr(0, command->line.size() - 2));
    } else if (std::holds_alternative<FtpClientStartControlTls>(action)) {
      out.push_back("tls");
    } else if (auto* connect = std::get_if<FtpConnectData>(&action)) {
      out.push_back("connect " + std::to_string(connect->data) + ":" + std::to_string(connect->port));
    } else if (auto* send = std::get_if<FtpClientSendData>(&action)) {
      out.push_back("send " + std::string(send->bytes.begin(), send->bytes.end()));
    } else if (auto* close = std::get_if<FtpClientCloseData>(&action)) {
      out.push_back(std::string(close->graceful ? "end " : "reset ") + std::to_string(close->data));
    } else if (std::holds_alternative<FtpClientCloseControl>(action)) {
      out.push_back("close");
    } else if (auto* report = std::get_if<FtpReportOutcome>(&action)) {
      const FtpClientOutcome& o = report->outcome;
      out.push_back("outcome " + std::to_string(o.operation) + (o.ok ? " ok " : " failed ") +
                    std::to_string(o.reply_code) + " [" + std::string(o.data.begin(), o.data.end()) + "]");
    }
  }
  return out;
}

class FtpClientScript : public ::testing::Test {
 protected:
  FtpClientScript() : client(FtpClientOptions{"acc-main1", "secret", 4}) {}

  std::vector<std::string> reply(std::string_view text) {
    return describe(client.on_control_bytes(to_bytes(text), kAt));
  }
  void log_in() {
    client.on_connected(kAt);
    reply("220 hi\r\n");
    reply("234 go\r\n");
    client.on_control_tls_established(kAt);
    reply("331 pw\r\n");
    reply("230 ok\r\n");
    reply("200 pbsz\r\n");
    ASSERT_THAT(reply("200 prot\r\n"), ElementsAre("outcome 0 ok 230 []"));
  }
  std::vector<std::string> start(FtpClientOperation operation) {
    return describe(client.start(std::move(operation), kAt));
  }

  FtpClientSession client;
};

TEST_F(FtpClientScript, LogsInOverExplicitTls) {
  EXPECT_THAT(describe(client.on_connected(kAt)), IsEmpty());
  EXPECT_THAT(reply("220-Welcome\r\n220 to the library\r\n"), ElementsAre("> AUTH TLS"));
  EXPECT_THAT(reply("234 Proceed with negotiation.\r\n"), ElementsAre("tls"));
  EXPECT_FALSE(client.is_logged_in());
  EXPECT_THAT(describe(client.on_control_tls_established(kAt)), ElementsAre("> USER acc-main1"));
  EXPECT_THAT(reply("331 Please specify the password.\r\n"), ElementsAre("> PASS secret"));
  EXPECT_THAT(reply("230 Login successful.\r\n"), ElementsAre("> PBSZ 0"));
  EXPECT_THAT(reply("200 PBSZ set to 0.\r\n"), ElementsAre("> PROT P"));
  EXPECT_THAT(reply("200 PROT now Private.\r\n"), ElementsAre("outcome 0 ok 230 []"));
  EXPECT_TRUE(client.is_logged_in());
  EXPECT_TRUE(client.is_idle());
}

TEST_F(FtpClientScript, FailedLoginFailsEveryQueuedOperation) {
  client.on_connected(kAt);
  EXPECT_THAT(start(FtpSizeOperation{"incoming/a"}), IsEmpty());
  reply("220 hi\r\n");
  reply("234 go\r\n");
  client.on_control_tls_established(kAt);
  reply("331 pw\r\n");
  EXPECT_THAT(reply("530 Login incorrect.\r\n"),
              ElementsAre("outcome 0 failed 530 []", "outcome 1 failed 530 []", "close"));
  EXPECT_TRUE(client.is_closed());
  EXPECT_THAT(start(FtpSizeOperation{"x"}), ElementsAre("outcome 2 failed 0 []"));
}

TEST_F(FtpClientScript, OperationsWaitForTheLoginAndRunInOrder) {
  client.on_connected(kAt);
  start(FtpDeleteOperation{"incoming/a"});
  start(FtpRenameOperation{"incoming/b", "incoming/c"});
  reply("220 hi\r\n");
  reply("234 go\r\n");
  client.on_control_tls_established(kAt);
  reply("331 pw\r\n");
  reply("230 ok\r\n");
  reply("200 pbsz\r\n");
  EXPECT_THAT(reply("200 prot\r\n"), ElementsAre("outcome 0 ok 230 []", "> DELE incoming/a"));
  EXPECT_THAT(reply("250 Delete operation successful.\r\n"),
              ElementsAre("outcome 1 ok 250 []", "> RNFR incoming/b"));
  EXPECT_THAT(reply("350 Ready for RNTO.\r\n"), ElementsAre("> RNTO incoming/c"));
  EXPECT_THAT(reply("250 Rename successful.\r\n"), ElementsAre("outcome 2 ok 250 []"));
}

TEST_F(FtpClientScript, SizeAndRawCommands) {
  log_in();
  EXPECT_THAT(start(FtpSizeOperation{"incoming/a"}), ElementsAre("> SIZE incoming/a"));
  auto actions = client.on_control_bytes(to_bytes("213 12345\r\n"), kAt);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<FtpReportOutcome>(actions[0]).outcome.size, 12345u);
  EXPECT_THAT(start(FtpSizeOperation{"nosuch"}), ElementsAre("> SIZE nosuch"));
  EXPECT_THAT(reply("550 Could not get file size.\r\n"), ElementsAre("outcome 2 failed 550 []"));
  EXPECT_THAT(start(FtpRawCommand{"FEAT"}), ElementsAre("> FEAT"));
  actions = client.on_control_bytes(to_bytes("211-Features:\r\n EPSV\r\n211 End\r\n"), kAt);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<FtpReportOutcome>(actions[0]).outcome.reply_text,
            "211-Features:\n EPSV\n211 End");
  EXPECT_THAT(start(FtpRawCommand{"MKD incoming/x"}), ElementsAre("> MKD incoming/x"));
  EXPECT_THAT(reply("550 Create directory operation failed.\r\n"),
              ElementsAre("outcome 4 failed 550 []"));
}

TEST_F(FtpClientScript, ListingWithEpsvFallingBackToPasv) {
  log_in();
  EXPECT_THAT(start(FtpListOperation{"incoming", FtpListingKind::kList}), ElementsAre("> TYPE A"));
  EXPECT_THAT(reply("200 Switching to ASCII mode.\r\n"), ElementsAre("> EPSV"));
  EXPECT_THAT(reply("500 Unknown command.\r\n"), ElementsAre("> PASV"));
  EXPECT_THAT(reply("227 Entering Passive Mode (127,0,0,1,156,64).\r\n"),
              ElementsAre("connect 1:40000", "> LIST incoming"));
  client.on_data_connected(1, kAt);
  client.on_data_tls_established(1, kAt);
  EXPECT_THAT(reply("150 Here comes the directory listing.\r\n"), IsEmpty());
  client.on_data_bytes(1, to_bytes("a\r\n"), kAt);
  // The 226 overtakes the end of the data: the outcome waits for both.
  EXPECT_THAT(reply("226 Directory send OK.\r\n"), IsEmpty());
  EXPECT_THAT(describe(client.on_data_closed(1, DataCloseReason::kFinished, kAt)),
              ElementsAre("outcome 1 ok 226 [a\r\n]"));
  // PASV from now on.
  start(FtpListOperation{"", FtpListingKind::kNlst});
  EXPECT_THAT(reply("200 Switching to ASCII mode.\r\n"), ElementsAre("> PASV"));
  EXPECT_THAT(reply("227 Entering Passive Mode (127,0,0,1,156,65).\r\n"),
              ElementsAre("connect 2:40001", "> NLST"));
}

TEST_F(FtpClientScript, DownloadFromAnOffset) {
  log_in();
  start(FtpDownloadOperation{"images/img-abcde", 100});
  EXPECT_THAT(reply("200 Switching to Binary mode.\r\n"), ElementsAre("> EPSV"));
  EXPECT_THAT(reply("229 Entering Extended Passive Mode (|||40000|)\r\n"),
              ElementsAre("connect 1:40000", "> REST 100"));
  EXPECT_THAT(reply("350 Restart position accepted (100).\r\n"), ElementsAre("> RETR images/img-abcde"));
  reply("150 Opening BINARY mode data connection.\r\n");
  client.on_data_bytes(1, to_bytes("tail"), kAt);
  EXPECT_THAT(describe(client.on_data_closed(1, DataCloseReason::kFinished, kAt)), IsEmpty());
  EXPECT_THAT(reply("226 Transfer complete.\r\n"), ElementsAre("outcome 1 ok 226 [tail]"));
}

TEST_F(FtpClientScript, UploadInChunks) {
  log_in();
  start(FtpUploadOperation{"incoming/u", std::make_shared<BytesSource>(to_bytes("abcdefghij"))});
  reply("200 Switching to Binary mode.\r\n");
  EXPECT_THAT(reply("229 (|||40000|)\r\n"), ElementsAre("connect 1:40000", "> STOR incoming/u"));
  reply("150 Ok to send data.\r\n");
  EXPECT_THAT(describe(client.on_data_tls_established(1, kAt)), ElementsAre("send abcd"));
  EXPECT_THAT(describe(client.on_data_writable(1, kAt)), ElementsAre("send efgh"));
  EXPECT_THAT(describe(client.on_data_writable(1, kAt)), ElementsAre("send ij"));
  EXPECT_THAT(describe(client.on_data_writable(1, kAt)), ElementsAre("end 1"));
  EXPECT_THAT(reply("226 Transfer complete.\r\n"), ElementsAre("outcome 1 ok 226 []"));
}

TEST_F(FtpClientScript, ResumeWithRestAndWithAppe) {
  log_in();
  auto content = std::make_shared<BytesSource>(to_bytes("abcdefghij"));
  start(FtpUploadOperation{"incoming/u", content, FtpUploadMode::kResumeWithRest});
  EXPECT_THAT(reply("200 Switching to Binary mode.\r\n"), ElementsAre("> SIZE incoming/u"));
  EXPECT_THAT(reply("213 6\r\n"), ElementsAre("> EPSV"));
  EXPECT_THAT(reply("229 (|||40000|)\r\n"), ElementsAre("connect 1:40000", "> REST 6"));
  EXPECT_THAT(reply("350 Restart position accepted (6).\r\n"), ElementsAre("> STOR incoming/u"));
  EXPECT_THAT(describe(client.on_data_tls_established(1, kAt)), ElementsAre("send ghij"));
  client.on_data_writable(1, kAt);
  auto actions = client.on_control_bytes(to_bytes("226 Transfer complete.\r\n"), kAt);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(std::get<FtpReportOutcome>(actions[0]).outcome.size, 6u);

  start(FtpUploadOperation{"incoming/v", content, FtpUploadMode::kResumeWithAppe});
  reply("200 Switching to Binary mode.\r\n");
  // Not there yet: the whole content, appended to nothing.
  EXPECT_THAT(reply("550 Could not get file size.\r\n"), ElementsAre("> EPSV"));
  EXPECT_THAT(reply("229 (|||40001|)\r\n"), ElementsAre("connect 2:40001", "> APPE incoming/v"));
  EXPECT_THAT(describe(client.on_data_tls_established(2, kAt)), ElementsAre("send abcd"));
}

TEST_F(FtpClientScript, RefusedUploadClosesTheDataConnection) {
  log_in();
  start(FtpUploadOperation{"images/u", std::make_shared<BytesSource>(to_bytes("x"))});
  reply("200 Switching to Binary mode.\r\n");
  reply("229 (|||40000|)\r\n");
  EXPECT_THAT(reply("553 Could not create file.\r\n"),
              ElementsAre("reset 1", "outcome 1 failed 553 []"));
  // Late events of that connection are ignored.
  EXPECT_THAT(describe(client.on_data_tls_established(1, kAt)), IsEmpty());
}

TEST_F(FtpClientScript, ServerEndingAnUploadEarlyFailsIt) {
  log_in();
  start(FtpUploadOperation{"incoming/u", std::make_shared<BytesSource>(to_bytes("abcdefgh"))});
  reply("200 Switching to Binary mode.\r\n");
  reply("229 (|||40000|)\r\n");
  reply("150 Ok to send data.\r\n");
  client.on_data_tls_established(1, kAt);
  EXPECT_THAT(describe(client.on_data_closed(1, DataCloseReason::kReset, kAt)), IsEmpty());
  EXPECT_THAT(reply("552 Storage quota exceeded.\r\n"), ElementsAre("outcome 1 failed 552 []"));
}

TEST_F(FtpClientScript, ControlClosedEndsEverything) {
  log_in();
  start(FtpDownloadOperation{"incoming/a", 0});
  start(FtpSizeOperation{"incoming/a"});
  reply("200 Switching to Binary mode.\r\n");
  reply("229 (|||40000|)\r\n");
  EXPECT_THAT(describe(client.on_control_closed(kAt)),
              ElementsAre("reset 1", "outcome 1 failed 0 []", "outcome 2 failed 0 []"));
  EXPECT_TRUE(client.is_closed());
}

TEST_F(FtpClientScript, QuitAfterTheQueue) {
  log_in();
  start(FtpSizeOperation{"incoming/a"});
  EXPECT_THAT(describe(client.quit(kAt)), IsEmpty());
  EXPECT_THAT(reply("213 1\r\n"), ElementsAre("outcome 1 ok 213 []", "> QUIT"));
  EXPECT_THAT(start(FtpSizeOperation{"x"}), ElementsAre("outcome 2 failed 0 []"));
  EXPECT_THAT(reply("221 Goodbye.\r\n"), ElementsAre("close"));
  EXPECT_TRUE(client.is_closed());
}

TEST_F(FtpClientScript, GarbageFromTheServerNeverStallsTheLogin) {
  client.on_connected(kAt);
  EXPECT_THAT(reply("hello there\r\n"), ElementsAre("outcome 0 failed 0 []", "close"));
}

}  // namespace
}  // namespace imagelib
