#include "reference/ftp/ftp_command.h"

namespace imagelib {

void FtpLineReader::append(ByteView bytes) {
  for (const std::uint8_t byte : bytes) {
    const char c = static_cast<char>(byte);
    if (c == '\n') {
      if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
      if (partial_.size() > max_line_length_) discarding_ = true;
      lines_.push_back(discarding_ ? FtpLine{"", true} : FtpLine{std::move(partial_), false});
      partial_.clear();
      discarding_ = false;
      continue;
    }
    if (discarding_) continue;
    partial_.push_back(c);
    // One byte over the limit is kept: it may be the CR of a line exactly at the limit.
    if (partial_.size() > max_line_length_ + 1) {
      discarding_ = true;
      partial_.clear();
    }
  }
}

std::optional<FtpLine> FtpLineReader::next_line() {
  if (lines_.empty()) return std::nullopt;
  FtpLine line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

void FtpLineReader::clear() {
  partial_.clear();
  discarding_ = false;
  lines_.clear();
}

std::string ascii_upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

std::string ascii_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

FtpCommand parse_ftp_command(std::string_view line) {
  // Clients send ABOR after Telnet "interrupt process" and "data mark"
  // (IAC IP IAC DM, RFC 959 §4.1.3); inline over TLS they lead the line.
  while (!line.empty() && (line.front() == '\xff' || line.front() == '\xf4' || line.front() == '\xf2')) {
    line.remove_prefix(1);
  }
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return FtpCommand{ascii_upper(line), ""};
  return FtpCommand{ascii_upper(line.substr(0, space)), std::string(line.substr(space + 1))};
}

}  // namespace imagelib
