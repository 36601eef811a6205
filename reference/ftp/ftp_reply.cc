#include "reference/ftp/ftp_reply.h"

namespace imagelib {
namespace {

// A line longer than this is cut, and a multi-line reply keeps at most so many
// lines: a broken server cannot make the client buffer without end.
constexpr std::size_t kMaxReplyLine = 64 * 1024;
constexpr std::size_t kMaxReplyLines = 4096;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The code of "ddd " or "ddd-" (and of a bare "ddd"); nullopt for anything else.
std::optional<int> leading_code(std::string_view line) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
    return std::nullopt;
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return std::nullopt;
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

// Reads a decimal number of at most `max` at `text[at]`, moving `at` past it.
std::optional<unsigned> read_number(std::string_view text, std::size_t& at, unsigned max) {
  const std::size_t start = at;
  unsigned value = 0;
  while (at < text.size() && is_digit(text[at]) && at - start < 6) {
    value = value * 10 + static_cast<unsigned>(text[at] - '0');
    ++at;
  }
  if (at == start || value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint16_t> parse_epsv_port(std::string_view text) {
  const std::size_t open = text.find('(');
  if (open == std::string_view::npos || open + 4 >= text.size()) return std::nullopt;
  const char delimiter = text[open + 1];
  if (text[open + 2] != delimiter || text[open + 3] != delimiter) return std::nullopt;
  std::size_t at = open + 4;
  const auto port = read_number(text, at, 65535);
  if (!port || *port == 0 || at >= text.size() || text[at] != delimiter) return std::nullopt;
  return static_cast<std::uint16_t>(*port);
}

std::optional<std::uint16_t> parse_pasv_port(std::string_view text) {
  // The six numbers start at the first digit after the code.
  for (std::size_t start = 4; start < text.size(); ++start) {
    if (!is_digit(text[start])) continue;
    std::size_t at = start;
    unsigned numbers[6];
    int count = 0;
    while (count < 6) {
      const auto number = read_number(text, at, 255);
      if (!number) break;
      numbers[count++] = *number;
      if (count < 6) {
        if (at >= text.size() || text[at] != ',') break;
        ++at;
      }
    }
    if (count == 6) {
      const unsigned port = numbers[4] * 256 + numbers[5];
      if (port == 0) return std::nullopt;
      return static_cast<std::uint16_t>(port);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::string format_reply(int code, std::string_view text) {
  std::string reply = std::to_string(code);
  reply += ' ';
  reply += text;
  reply += "\r\n";
  return reply;
}

std::string format_multiline_reply(int code, std::string_view first,
                                   const std::vector<std::string>& middle, std::string_view last) {
  std::string reply = std::to_string(code);
  reply += '-';
  reply += first;
  reply += "\r\n";
  for (const std::string& line : middle) {
    if (!line.empty() && is_digit(line.front())) reply += ' ';
    reply += line;
    reply += "\r\n";
  }
  reply += format_reply(code, last);
  return reply;
}

std::string FtpReply::text() const {
  std::string joined;
  for (const std::string& line : lines) {
    if (!joined.empty()) joined += '\n';
    joined += line;
  }
  return joined;
}

void FtpReplyReader::append(ByteView bytes) {
  for (const std::uint8_t byte : bytes) {
    const char c = static_cast<char>(byte);
    if (c == '\n') {
      if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
      take_line(std::move(partial_));
      partial_.clear();
    } else if (partial_.size() < kMaxReplyLine) {
      partial_.push_back(c);
    }
  }
}

void FtpReplyReader::take_line(std::string line) {
  const std::optional<int> code = leading_code(line);
  if (open_multiline_) {
    const bool ends = code == open_multiline_->code && (line.size() == 3 || line[3] == ' ');
    if (ends || open_multiline_->lines.size() < kMaxReplyLines) {
      open_multiline_->lines.push_back(std::move(line));
    }
    if (ends) {
      replies_.push_back(std::move(*open_multiline_));
      open_multiline_.reset();
    }
    return;
  }
  FtpReply reply{code.value_or(0), {}};
  const bool opens = code && line.size() > 3 && line[3] == '-';
  reply.lines.push_back(std::move(line));
  if (opens) {
    open_multiline_ = std::move(reply);
  } else {
    replies_.push_back(std::move(reply));
  }
}

std::optional<FtpReply> FtpReplyReader::next_reply() {
  if (replies_.empty()) return std::nullopt;
  FtpReply reply = std::move(replies_.front());
  replies_.pop_front();
  return reply;
}

}  // namespace imagelib
