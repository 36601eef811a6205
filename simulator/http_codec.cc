#include "simulator/http_codec.h"

#include <cctype>
#include <charconv>

namespace imagelib::sim {
namespace {

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    default: return "Status";
  }
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return std::string(text);
}

void append_headers(std::string& out, const std::map<std::string, std::string>& headers,
                    std::size_t body_size) {
  for (const auto& [name, value] : headers) {
    if (name == "content-length") continue;
    out += name + ": " + value + "\r\n";
  }
  out += "content-length: " + std::to_string(body_size) + "\r\n\r\n";
}

}  // namespace

std::string serialize_request(const HttpRequest& request) {
  std::string out = request.method + " " + request.target + " HTTP/1.1\r\n";
  append_headers(out, request.headers, request.body.size());
  return out + request.body;
}

std::string serialize_response(const HttpResponse& response) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    std::string(reason_phrase(response.status)) + "\r\n";
  append_headers(out, response.headers, response.body.size());
  return out + response.body;
}

std::optional<HttpParser::Head> HttpParser::next_message() {
  if (failed()) return std::nullopt;
  const std::size_t head_end = buffer_.find("\r\n\r\n");
  if (head_end == std::string::npos) {
    if (buffer_.size() > max_message_bytes_) error_ = "header section too long";
    return std::nullopt;
  }
  Head head;
  std::size_t line_start = 0;
  bool first = true;
  while (line_start < head_end) {
    std::size_t line_end = buffer_.find("\r\n", line_start);
    const std::string_view line(buffer_.data() + line_start, line_end - line_start);
    line_start = line_end + 2;
    if (first) {
      head.start_line = std::string(line);
      first = false;
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      error_ = "malformed header line";
      return std::nullopt;
    }
    head.headers[lower(std::string(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  std::size_t length = 0;
  if (auto it = head.headers.find("content-length"); it != head.headers.end()) {
    const std::string& text = it->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (ec != std::errc() || end != text.data() + text.size()) {
      error_ = "bad content-length";
      return std::nullopt;
    }
  } else if (head.headers.count("transfer-encoding")) {
    error_ = "transfer-encoding is not supported by the simulated link";
    return std::nullopt;
  }
  if (length > max_message_bytes_) {
    error_ = "message too large";
    return std::nullopt;
  }
  const std::size_t body_start = head_end + 4;
  if (buffer_.size() - body_start < length) return std::nullopt;
  head.body = buffer_.substr(body_start, length);
  buffer_.erase(0, body_start + length);
  return head;
}

std::optional<HttpRequest> HttpParser::next_request() {
  auto head = next_message();
  if (!head) return std::nullopt;
  const std::size_t first_space = head->start_line.find(' ');
  const std::size_t last_space = head->start_line.rfind(' ');
  if (first_space == std::string::npos || last_space == first_space ||
      head->start_line.substr(last_space + 1) != "HTTP/1.1") {
    error_ = "malformed request line";
    return std::nullopt;
  }
  HttpRequest request;
  request.method = head->start_line.substr(0, first_space);
  request.target = head->start_line.substr(first_space + 1, last_space - first_space - 1);
  request.headers = std::move(head->headers);
  request.headers.erase("content-length");
  request.body = std::move(head->body);
  return request;
}

std::optional<HttpResponse> HttpParser::next_response() {
  auto head = next_message();
  if (!head) return std::nullopt;
  const std::string& line = head->start_line;
  int status = 0;
  if (line.rfind("HTTP/1.1 ", 0) != 0 || line.size() < 12 ||
      std::from_chars(line.data() + 9, line.data() + 12, status).ec != std::errc()) {
    error_ = "malformed status line";
    return std::nullopt;
  }
  HttpResponse response;
  response.status = status;
  response.headers = std::move(head->headers);
  response.headers.erase("content-length");
  response.body = std::move(head->body);
  return response;
}

}  // namespace imagelib::sim
