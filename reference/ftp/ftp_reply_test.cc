#include "reference/ftp/ftp_reply.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace imagelib {
namespace {

TEST(FormatReply, SingleLine) { EXPECT_EQ(format_reply(221, "Goodbye."), "221 Goodbye.\r\n"); }

TEST(FormatReply, MultiLineGuardsMiddleLinesThatStartWithADigit) {
  EXPECT_EQ(format_multiline_reply(211, "Features:", {" EPSV", "226 x"}, "End"),
            "211-Features:\r\n EPSV\r\n 226 x\r\n211 End\r\n");
}

TEST(FtpReplyReader, ReadsSingleAndMultiLineReplies) {
  FtpReplyReader reader;
  reader.append(to_bytes("220 hi\r\n211-Features:\r\n EPSV\r\n211 End\r\n150 Ok"));
  auto first = reader.next_reply();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->code, 220);
  auto second = reader.next_reply();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->code, 211);
  EXPECT_EQ(second->text(), "211-Features:\n EPSV\n211 End");
  EXPECT_FALSE(reader.next_reply());
  reader.append(to_bytes("\r\n"));
  auto third = reader.next_reply();
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->is_preliminary());
}

TEST(FtpReplyReader, EndlessMultiLineReplyKeepsBoundedLines) {
  FtpReplyReader reader;
  reader.append(to_bytes("211-start\r\n"));
  for (int i = 0; i < 10000; ++i) reader.append(to_bytes(" more\r\n"));
  reader.append(to_bytes("211 End\r\n"));
  auto reply = reader.next_reply();
  ASSERT_TRUE(reply);
  EXPECT_LE(reply->lines.size(), 4097u);
  EXPECT_EQ(reply->lines.back(), "211 End");
}

TEST(FtpReplyReader, GarbageLineBecomesCodeZero) {
  FtpReplyReader reader;
  reader.append(to_bytes("hello\r\n"));
  auto reply = reader.next_reply();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->code, 0);
}

TEST(ParsePassiveReplies, Epsv) {
  EXPECT_EQ(parse_epsv_port("229 Entering Extended Passive Mode (|||40081|)"), 40081);
  EXPECT_EQ(parse_epsv_port("229 ok (!!!21!)"), 21);
  EXPECT_FALSE(parse_epsv_port("229 Entering Extended Passive Mode (|||99999|)"));
  EXPECT_FALSE(parse_epsv_port("229 Entering Extended Passive Mode (||40081|)"));
  EXPECT_FALSE(parse_epsv_port("229 Entering Extended Passive Mode"));
  EXPECT_FALSE(parse_epsv_port("229 (|||0|)"));
}

TEST(ParsePassiveReplies, Pasv) {
  EXPECT_EQ(parse_pasv_port("227 Entering Passive Mode (127,0,0,1,156,64)."), 40000);
  EXPECT_EQ(parse_pasv_port("227 Entering Passive Mode 10,0,0,1,0,21"), 21);
  EXPECT_FALSE(parse_pasv_port("227 Entering Passive Mode (127,0,0,1,156)."));
  EXPECT_FALSE(parse_pasv_port("227 Entering Passive Mode (127,0,0,1,256,1)."));
  EXPECT_FALSE(parse_pasv_port("227 nothing"));
}

RC_GTEST_PROP(FtpReplyReader, FormattedRepliesReadBackWhateverTheSplit,
              (const std::vector<std::string>& middle)) {
  std::vector<std::string> clean;
  for (const std::string& line : middle) {
    std::string copy;
    for (char c : line) {
      if (c != '\r' && c != '\n') copy += c;
    }
    clean.push_back(copy);
  }
  const std::string text = format_multiline_reply(213, "Status follows:", clean, "End of status") +
                           format_reply(226, "Transfer complete.");
  FtpReplyReader reader;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t n = *rc::gen::inRange<std::size_t>(1, text.size() - at + 1);
    reader.append(to_bytes(text.substr(at, n)));
    at += n;
  }
  auto status = reader.next_reply();
  RC_ASSERT(status.has_value());
  RC_ASSERT(status->code == 213);
  RC_ASSERT(status->lines.size() == clean.size() + 2);
  auto done = reader.next_reply();
  RC_ASSERT(done.has_value());
  RC_ASSERT(done->code == 226);
  RC_ASSERT(!reader.next_reply().has_value());
}

}  // namespace
}  // namespace imagelib
