// FTP command lines: the reader that cuts a control byte stream into lines
// (any split, a length limit) and the parser that splits a line into its verb
// and argument. Used by FtpServerSession; plain values, not thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "reference/base/bytes.h"

namespace imagelib {

// One line taken from the control stream, CR LF removed. `too_long` when the
// client sent more than the limit before the line ended: its text is dropped.
struct FtpLine {
  std::string text;
  bool too_long = false;
};

// Buffers control bytes and hands out complete lines in order. A line ends
// at LF; a CR right before it is dropped. Whatever the split of the input,
// the same lines come out. Memory stays below the limit per partial line.
class FtpLineReader {
 public:
  explicit FtpLineReader(std::size_t max_line_length) : max_line_length_(max_line_length) {}

  void append(ByteView bytes);
  // The next complete line, if one has arrived.
  std::optional<FtpLine> next_line();
  // Complete lines waiting to be taken.
  std::size_t pending_lines() const { return lines_.size(); }
  // Drops every buffered byte (after AUTH: nothing sent in plain text may
  // reach the secure channel).
  void clear();

 private:
  std::size_t max_line_length_;
  std::string partial_;       // bytes after the last LF, at most the limit + 1 (its CR)
  bool discarding_ = false;   // the current line passed the limit
  std::deque<FtpLine> lines_;  // complete lines not taken yet
};

struct FtpCommand {
  std::string verb;      // upper case, e.g. "RETR"
  std::string argument;  // everything after the first space, as sent
};

// Splits a command line. The verb is upper-cased; the argument keeps its case
// and any inner spaces (file names may hold them).
FtpCommand parse_ftp_command(std::string_view line);

// Upper / lower case of ASCII letters only.
std::string ascii_upper(std::string_view text);
std::string ascii_lower(std::string_view text);

}  // namespace imagelib
