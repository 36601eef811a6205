#include "reference/ftp/ftp_command.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

namespace imagelib {
namespace {

std::vector<FtpLine> read_all(FtpLineReader& reader) {
  std::vector<FtpLine> lines;
  while (auto line = reader.next_line()) lines.push_back(*line);
  return lines;
}

TEST(FtpLineReader, CutsLinesAtCrLfAndBareLf) {
  FtpLineReader reader(100);
  reader.append(to_bytes("USER a\r\nPASS b\nNOOP"));
  auto lines = read_all(reader);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].text, "USER a");
  EXPECT_EQ(lines[1].text, "PASS b");
  reader.append(to_bytes("\r\n"));
  lines = read_all(reader);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "NOOP");
}

TEST(FtpLineReader, MarksOverlongLinesAndDropsTheirText) {
  FtpLineReader reader(8);
  reader.append(to_bytes("12345678\r\n123456789\r\nNOOP\r\n"));
  auto lines = read_all(reader);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_FALSE(lines[0].too_long);
  EXPECT_EQ(lines[0].text, "12345678");
  EXPECT_TRUE(lines[1].too_long);
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "NOOP");
}

TEST(FtpLineReader, ClearDropsPartialAndCompleteLines) {
  FtpLineReader reader(100);
  reader.append(to_bytes("USER x\r\nPAS"));
  reader.clear();
  reader.append(to_bytes("S y\r\n"));
  auto lines = read_all(reader);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "S y");
}

RC_GTEST_PROP(FtpLineReader, AnySplitGivesTheSameLines, (const std::string& text)) {
  const std::size_t limit = *rc::gen::inRange<std::size_t>(1, 20);
  FtpLineReader whole(limit);
  whole.append(to_bytes(text));
  FtpLineReader split(limit);
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t n = *rc::gen::inRange<std::size_t>(1, text.size() - at + 1);
    split.append(to_bytes(text.substr(at, n)));
    at += n;
  }
  const auto a = read_all(whole);
  const auto b = read_all(split);
  RC_ASSERT(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    RC_ASSERT(a[i].text == b[i].text);
    RC_ASSERT(a[i].too_long == b[i].too_long);
    RC_ASSERT(a[i].text.size() <= limit);
  }
}

TEST(ParseFtpCommand, UppercasesTheVerbAndKeepsTheArgument) {
  const FtpCommand command = parse_ftp_command("stor My File.bin");
  EXPECT_EQ(command.verb, "STOR");
  EXPECT_EQ(command.argument, "My File.bin");
  const FtpCommand bare = parse_ftp_command("pwd");
  EXPECT_EQ(bare.verb, "PWD");
  EXPECT_EQ(bare.argument, "");
}

}  // namespace
}  // namespace imagelib
