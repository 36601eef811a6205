// FTP replies (RFC 959 §4.2): formatting single- and multi-line replies on
// the server side, and reading them back on the client side from a byte
// stream split anywhere. Plain values, not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/base/bytes.h"

namespace imagelib {

// "550 Failed to open file.\r\n".
std::string format_reply(int code, std::string_view text);

// "211-Features:\r\n EPRT\r\n...211 End\r\n": the first line with "code-",
// the middle lines as given (a line that starts with a digit gets a leading
// space, so no middle line can pass for the last one), the last with "code ".
std::string format_multiline_reply(int code, std::string_view first,
                                   const std::vector<std::string>& middle, std::string_view last);

struct FtpReply {
  int code = 0;
  std::vector<std::string> lines;  // every line as sent, CRLF removed

  // The lines joined by "\n".
  std::string text() const;
  bool is_preliminary() const { return code >= 100 && code < 200; }
  bool is_success() const { return code >= 200 && code < 400; }
};

// The port of a `229 Entering Extended Passive Mode (|||40000|)` reply
// (RFC 2428: any delimiter character), nullopt if the text holds none.
std::optional<std::uint16_t> parse_epsv_port(std::string_view text);
// The port of a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).` reply; the
// host part is ignored (clients connect to the control connection's host).
std::optional<std::uint16_t> parse_pasv_port(std::string_view text);

// Collects control bytes on the client side and hands out complete replies.
// A line that does not start with three digits outside a multi-line reply
// becomes a reply with code 0, so a broken server cannot stall the client.
class FtpReplyReader {
 public:
  void append(ByteView bytes);
  std::optional<FtpReply> next_reply();

 private:
  void take_line(std::string line);

  std::string partial_;
  std::optional<FtpReply> open_multiline_;
  std::deque<FtpReply> replies_;
};

}  // namespace imagelib
