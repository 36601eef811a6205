// Properties of FtpServerSession (RapidCheck): the byte split of a command
// stream never changes the answers, and no line of garbage crashes the
// session or goes unanswered.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "reference/ftp/ftp_reply.h"
#include "reference/ftp/ftp_server_harness.h"

namespace imagelib::testing {
namespace {

const std::vector<std::string> kVerbs = {
    "ABOR", "ACCT", "ALLO", "APPE", "AUTH", "CDUP", "CWD",  "DELE", "EPRT", "EPSV", "FEAT",
    "HELP", "LIST", "MDTM", "MKD",  "MLSD", "MLST", "MODE", "NLST", "NOOP", "OPTS", "PASS",
    "PASV", "PBSZ", "PORT", "PROT", "PWD",  "REIN", "REST", "RETR", "RMD",  "RNFR", "RNTO",
    "SIZE", "SMNT", "STAT", "STOR", "STRU", "SYST", "TYPE", "USER", "XCUP", "XCWD", "XMKD",
    "XPWD", "XRMD", "SITE", "STOU", "CCC",  "pwd",  "list", "Retr"};

// Command lines a client could send after logging in, good and bad. Not
// ABOR: it acts on a transfer as soon as it arrives, so when it lands
// depends on the split by design.
const std::vector<std::string> kScriptLines = {
    "PWD", "CWD incoming", "CWD /", "CDUP", "CWD ../..", "TYPE I", "TYPE A", "EPSV", "PASV",
    "LIST", "LIST -la incoming", "NLST incoming", "MLSD incoming", "MLST incoming/a.img",
    "SIZE incoming/a.img", "SIZE nosuch", "MDTM incoming/a.img", "REST 2", "REST x",
    "RETR incoming/a.img", "RETR /incoming/a.img", "RETR ../../etc/passwd", "RNFR incoming/a.img",
    "RNTO incoming/b.img", "RNFR incoming/b.img", "RNTO incoming/a.img", "DELE images/x",
    "MKD incoming/d", "FEAT", "HELP", "STAT", "STAT incoming", "XYZZY", "OPTS UTF8 ON",
    "OPTS MLST size;", "PROT C", "PROT P", "PORT 1,2,3,4,5,6", "NOOP", "USER x", "PASS y",
    "SYST", "EPSV ALL", "STOR images/x", "this line is much longer than the forty byte limit"};

constexpr std::size_t kMaxLine = 40;

FtpServerOptions small_line_options() {
  FtpServerOptions options;
  options.max_line_length = kMaxLine;
  return options;
}

// Everything one run leaves behind.
struct Outcome {
  std::string replies;
  std::map<DataConnectionId, Bytes> downloads;
  std::string state;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome run_script(const std::string& stream, const std::vector<std::size_t>& cuts) {
  FtpServerHarness h({}, small_line_options());
  h.fixture.upload(h.fixture.main, "a.img", to_bytes("hello"));
  h.send("AUTH TLS\r\n");
  const std::string preamble =
      "USER " + h.fixture.main + "\r\nPASS " + h.password + "\r\nPBSZ 0\r\nPROT P\r\n";
  const std::string all = preamble + stream;
  std::size_t at = 0;
  for (const std::size_t cut : cuts) {
    const std::size_t end = std::min(all.size(), at + cut);
    h.send(std::string_view(all).substr(at, end - at));
    at = end;
  }
  h.send(std::string_view(all).substr(at));
  return Outcome{h.replies, h.downloads, h.library.dump_state()};
}

RC_GTEST_PROP(FtpServerProperties, ByteSplitsGiveTheSameRepliesAsWholeLines, ()) {
  const auto lines = *rc::gen::container<std::vector<std::string>>(rc::gen::elementOf(kScriptLines));
  std::string stream;
  for (const std::string& line : lines) stream += line + (line.size() % 3 == 0 ? "\n" : "\r\n");
  stream += "QUIT\r\n";
  const auto cuts = *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(1, 9));
  const Outcome whole = run_script(stream, {});
  const Outcome split = run_script(stream, cuts);
  RC_ASSERT(whole == split);
  // And the lines did run: one final reply at least per line, plus the preamble's four.
  RC_ASSERT(reply_codes(whole.replies).size() >= lines.size() + 5);
}

rc::Gen<std::string> garbage_line() {
  return rc::gen::map(
      rc::gen::pair(rc::gen::elementOf(kVerbs), rc::gen::arbitrary<std::string>()),
      [](const std::pair<std::string, std::string>& parts) {
        std::string line;
        // Half of them begin with a real verb, the rest are anything.
        if (parts.second.size() % 2 == 0) line = parts.first + " ";
        for (const char c : parts.second) {
          if (c != '\r' && c != '\n') line += c;
        }
        return line;
      });
}

RC_GTEST_PROP(FtpServerProperties, GarbageLinesAlwaysGetAThreeDigitReply, (bool logged_in)) {
  FtpServerHarness h({}, small_line_options());
  h.fixture.upload(h.fixture.main, "a.img", to_bytes("hello"));
  if (logged_in) h.login();
  const auto lines = *rc::gen::container<std::vector<std::string>>(garbage_line());
  for (const std::string& line : lines) {
    if (h.session.is_closed()) break;
    std::string answer = h.send(line + "\r\n");
    // An upload waits for its data; the client ends it.
    if (!reply_codes(answer).empty() && reply_codes(answer).back() == 150) {
      answer += h.close_data(DataCloseReason::kFinished);
    }
    const std::vector<int> codes = reply_codes(answer);
    RC_ASSERT(!codes.empty());
    for (const int code : codes) RC_ASSERT(code >= 100 && code <= 599);
    RC_ASSERT(codes.back() >= 200);
  }
  FtpReplyReader reader;
  reader.append(to_bytes(h.replies));
  while (auto reply = reader.next_reply()) RC_ASSERT(reply->code >= 100);
}

}  // namespace
}  // namespace imagelib::testing
