// libFuzzer target for serve's HTTP request reader and what it hands the API
// core (net/http_request_reader: Beast's parser under serve's limits, the
// Transfer-Encoding check, then ApiService::handle). The input is the bytes
// of one connection, possibly several pipelined requests, in pieces
// separated by 0xFF, each piece one read; "@BASIC@" stands for a real API
// client's Basic credentials and "@TOKEN@" for a valid bearer token, so that
// the fuzzer reaches the authenticated endpoints. On any input: never a
// crash or a hang; a refused read is 400, 413, 431 or 501 with a JSON
// `errors` line and ends the connection; an accepted request has a body
// within the limit and no Transfer-Encoding but chunked; every core answer
// has a status in 200..599 and, when it says JSON, a body that parses.
// Anything else is a finding.
#include <boost/beast/core/flat_buffer.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "net/accounts_config.h"
#include "net/basic_auth.h"
#include "net/http_request_reader.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace imagelib;

const net::RequestLimits kLimits{4 * 1024, 64 * 1024};

std::string replaced(std::string text, std::string_view from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

void check_json_body(const HttpResponse& response) {
  const auto type = response.headers.find("content-type");
  if (type == response.headers.end() || type->second.find("json") == std::string::npos) return;
  if (response.body.empty()) return;
  if (!nlohmann::json::accept(response.body)) std::abort();
}

void check_refusal(const HttpResponse& refusal) {
  if (refusal.status != 400 && refusal.status != 413 && refusal.status != 431 && refusal.status != 501) {
    std::abort();
  }
  const nlohmann::json body = nlohmann::json::parse(refusal.body);
  if (!body.at("errors").is_array() || body.at("errors").empty()) std::abort();
}

void check_request(const net::RequestMessage& request) {
  if (request.body().size() > kLimits.max_body_bytes) std::abort();
  const auto coding = request.find(http::field::transfer_encoding);
  if (coding != request.end() && !beast::iequals(coding->value(), "chunked")) std::abort();
}

// One API core with an account, an API client and a token.
struct Core {
  Library library;
  ApiService api{library, ApiOptions{}};
  std::string basic;
  std::string token;

  Core() {
    auto config = net::parse_accounts_config(
        R"({"accounts": [{"name": "fuzz", "clients": [{"id": "cli-fuzz1", "secret": "s3cret"}]}]})", "/");
    if (!config.ok()) std::abort();
    auto clients = net::provision_library(library, *config, Timestamp{});
    if (!clients.ok() || clients->empty()) std::abort();
    basic = net::basic_authorization((*clients)[0].client, (*clients)[0].secret);
    HttpRequest request;
    request.method = "POST";
    request.target = "/token";
    request.headers = {{"authorization", basic}, {"content-type", "application/json"}};
    request.body = R"({"grant_type":"client_credentials"})";
    const HttpResponse response = api.handle(request, Timestamp{});
    if (response.status != 200) std::abort();
    token = "Bearer " + nlohmann::json::parse(response.body).at("access_token").get<std::string>();
  }
};

std::unique_ptr<net::RequestParser> fresh_parser() {
  auto parser = std::make_unique<net::RequestParser>();
  net::limit_request_parser(*parser, kLimits);
  parser->eager(true);  // as http::async_read: the body as it comes
  return parser;
}

// Answers one request read; false when the connection ends after it.
bool answer(Core& core, net::RequestRead read, Timestamp at) {
  if (read.refusal) check_refusal(*read.refusal);
  if (!read.request) return false;
  check_request(*read.request);
  const HttpResponse response = core.api.handle(net::to_core_request(*read.request), at);
  if (response.status < 200 || response.status > 599) std::abort();
  check_json_body(response);
  return read.request->keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Core core;
  const std::string input(reinterpret_cast<const char*>(data), size);
  beast::flat_buffer buffer;
  auto parser = fresh_parser();
  Timestamp at{};
  std::size_t begin = 0;
  while (true) {
    // One read: the next piece, or the end of the connection.
    const bool eof = begin > input.size();
    if (!eof) {
      std::size_t end = input.find('\xff', begin);
      if (end == std::string::npos) end = input.size();
      std::string piece = replaced(input.substr(begin, end - begin), "@BASIC@", core.basic);
      piece = replaced(std::move(piece), "@TOKEN@", core.token);
      if (!piece.empty()) {
        const auto room = buffer.prepare(piece.size());
        std::memcpy(room.data(), piece.data(), piece.size());
        buffer.commit(piece.size());
      }
      begin = end + 1;
    }
    // Every request the buffered bytes complete.
    while (true) {
      boost::system::error_code error;
      const std::size_t used = parser->put(buffer.data(), error);
      buffer.consume(used);
      if (error == http::error::need_more || (!error && !parser->is_done() && used == 0)) {
        if (!eof) break;                   // wait for the next read
        if (!parser->got_some()) return 0;  // the client closed between requests
        error = {};
        parser->put_eof(error);
        if (!error && !parser->is_done()) return 0;
      } else if (!error && !parser->is_done()) {
        continue;
      }
      at = at + std::chrono::seconds(1);
      if (!answer(core, net::finish_request_read(error, *parser), at)) return 0;
      parser = fresh_parser();
    }
  }
}
