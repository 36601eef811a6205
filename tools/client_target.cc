#include "tools/client_target.h"

#include <boost/asio/io_context.hpp>
#include <iostream>
#include <regex>

#include "net/tls_context.h"
#include "tools/command.h"

namespace imagelib::cli {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Status usage_error(const std::string& message) { return Status(ErrorCode::kBadRequest, message); }

}  // namespace

void add_target_options(CLI::App& command, TargetOptions& options, TargetUse use) {
  if (use == TargetUse::kApi) {
    command.add_option("--api", options.api, "API base URL, https://HOST:PORT")->envname("IMAGELIB_API");
    command.add_option("--client-id", options.client_id, "API client id (cli-xxxxx)")
        ->envname("IMAGELIB_CLIENT_ID");
    command.add_option("--client-secret", options.client_secret, "API client secret")
        ->envname("IMAGELIB_CLIENT_SECRET");
    command.add_option("--output", options.output, "table or json (the API's JSON)")
        ->check(CLI::IsMember({"table", "json"}))
        ->capture_default_str();
  } else {
    command.add_option("--ftp", options.ftp, "FTPS URL, ftps://HOST:PORT")->envname("IMAGELIB_FTP");
    command.add_option("--ftp-user", options.ftp_user, "FTP user (the account id)")
        ->envname("IMAGELIB_FTP_USER");
    command.add_option("--ftp-password", options.ftp_password,
                       "FTP password (from accounts reset_ftp_password)")
        ->envname("IMAGELIB_FTP_PASSWORD");
  }
  command.add_flag("-k,--insecure", options.insecure, "Accept any TLS certificate (as curl -k)")
      ->envname("IMAGELIB_INSECURE");
  command.add_option("--cacert", options.cacert, "Verify the server's certificate against this CA file");
  command.add_flag("-q,--quiet", options.quiet, "No progress or informational messages");
}

Result<std::unique_ptr<asio::ssl::context>> client_tls(const TargetOptions& options,
                                                       const std::string& host) {
  std::optional<std::string> ca_file;
  if (!options.cacert.empty()) ca_file = options.cacert;
  auto context = net::make_verifying_client_tls_context({ca_file, options.insecure}, host);
  if (!context.ok()) return context.status();
  return std::make_unique<asio::ssl::context>(std::move(*context));
}

std::string api_error_line(const net::ApiReply& reply) {
  if (reply.body.is_object()) {
    const auto& errors = reply.body.contains("errors") ? reply.body["errors"] : reply.body["error"];
    std::string line;
    if (errors.is_array()) {
      for (const auto& error : errors) {
        if (!error.is_string()) continue;
        line += (line.empty() ? "" : " ") + error.get<std::string>();
      }
    } else if (errors.is_string()) {
      line = errors.get<std::string>();
      const std::string description = reply.body.value("error_description", "");
      if (!description.empty()) line += ": " + description;
    }
    if (!line.empty()) return line;
  }
  return "the API answered " + std::to_string(reply.status);
}

ApiSession::ApiSession(std::string api, std::unique_ptr<asio::ssl::context> tls)
    : api_(std::move(api)), tls_(std::move(tls)), client_(api_, *tls_) {}

Result<std::unique_ptr<ApiSession>> ApiSession::open(const TargetOptions& options) {
  if (options.api.empty()) return usage_error("no API URL: pass --api https://HOST:PORT or set IMAGELIB_API");
  static const std::regex kBase(R"(^https?://(\[[^\]]+\]|[^:/]+):\d{1,5}/?$)");
  std::smatch match;
  if (!std::regex_match(options.api, match, kBase)) {
    return usage_error("--api must be http(s)://HOST:PORT, not \"" + options.api + "\"");
  }
  if (options.client_id.empty() || options.client_secret.empty()) {
    return usage_error(
        "no API client: pass --client-id and --client-secret or set IMAGELIB_CLIENT_ID and "
        "IMAGELIB_CLIENT_SECRET");
  }
  std::string host = match[1];
  if (host.front() == '[') host = host.substr(1, host.size() - 2);
  auto tls = client_tls(options, host);
  if (!tls.ok()) return tls.status();
  std::unique_ptr<ApiSession> session(new ApiSession(options.api, std::move(*tls)));
  auto token = session->client_.request_token(options.client_id, options.client_secret);
  if (!token.ok()) {
    return Status(ErrorCode::kInternal,
                  "cannot reach the API at " + options.api + ": " + token.status().message());
  }
  if (!session->client_.token()) return Status(ErrorCode::kUnauthorized, api_error_line(*token));
  return session;
}

Result<net::ApiReply> ApiSession::send(const std::string& method, const std::string& target,
                                       const nlohmann::json& body) {
  auto reply = client_.call(method, target, body);
  if (!reply.ok()) {
    return Status(ErrorCode::kInternal, "cannot reach the API at " + api_ + ": " + reply.status().message());
  }
  return reply;
}

Result<net::ApiReply> ApiSession::call_reply(const std::string& method, const std::string& target,
                                             const nlohmann::json& body, int expected_status) {
  auto reply = send(method, target, body);
  if (!reply.ok()) return reply.status();
  if (reply->status != expected_status) return Status(ErrorCode::kBadRequest, api_error_line(*reply));
  return reply;
}

Result<std::vector<nlohmann::json>> find_all_or_warn(ApiSession& api, const std::string& collection,
                                                     const std::vector<std::string>& ids,
                                                     const std::string& not_found) {
  std::vector<nlohmann::json> found;
  if (ids.empty()) {
    auto listed = api.call("GET", collection, nullptr, 200);
    if (!listed.ok()) return listed.status();
    if (!listed->is_array()) {
      return Status(ErrorCode::kInternal, "the API's answer to GET " + collection + " is not a list");
    }
    found.assign(listed->begin(), listed->end());
  }
  for (const auto& id : ids) {
    auto reply = api.send("GET", collection + "/" + id, nullptr);
    if (!reply.ok()) return reply.status();
    if (reply->status == 404) {
      std::cerr << "WARN: " << not_found << " " << id << "\n";
      continue;
    }
    if (reply->status != 200) return Status(ErrorCode::kBadRequest, id + ": " + api_error_line(*reply));
    found.push_back(reply->body);
  }
  return found;
}

Result<nlohmann::json> ApiSession::call(const std::string& method, const std::string& target,
                                        const nlohmann::json& body, int expected_status) {
  auto reply = call_reply(method, target, body, expected_status);
  if (!reply.ok()) return reply.status();
  return reply->body;
}

Result<FtpTarget> open_ftp_target(const TargetOptions& options) {
  if (options.ftp.empty()) return usage_error("no FTPS URL: pass --ftp ftps://HOST:PORT or set IMAGELIB_FTP");
  static const std::regex kUrl(R"(^(?:ftps?://)?(\[[^\]]+\]|[^:/\[\]]+)(?::(\d{1,5}))?/?$)");
  std::smatch match;
  if (!std::regex_match(options.ftp, match, kUrl)) {
    return usage_error("--ftp must be ftps://HOST[:PORT], not \"" + options.ftp + "\"");
  }
  std::string host = match[1];
  if (host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = match[2].matched ? std::string(match[2]) : "21";
  if (options.ftp_user.empty() || options.ftp_password.empty()) {
    return usage_error(
        "no FTP login: pass --ftp-user and --ftp-password or set IMAGELIB_FTP_USER and "
        "IMAGELIB_FTP_PASSWORD");
  }
  FtpTarget target;
  try {
    asio::io_context io;
    tcp::resolver resolver(io);
    target.endpoint = resolver.resolve(host, port)->endpoint();
  } catch (const boost::system::system_error& error) {
    return Status(ErrorCode::kInternal, "cannot resolve " + host + ": " + error.code().message());
  }
  auto tls = client_tls(options, host);
  if (!tls.ok()) return tls.status();
  target.tls = std::move(*tls);
  target.login.user = options.ftp_user;
  target.login.password = options.ftp_password;
  return target;
}

void say(const TargetOptions& options, const std::string& message) {
  if (!options.quiet) std::cerr << message << "\n";
}

int exit_status(const Status& status) { return status.ok() ? 0 : fail(status.message()); }

Status check_id(const std::string& id, const std::string& prefix, const std::string& what) {
  static const std::regex kId(R"(^[a-z]{3}-[0-9a-z]{5,}$)");
  if (id.rfind(prefix + "-", 0) != 0 || !std::regex_match(id, kId)) {
    return usage_error("\"" + id + "\" is not " + what + " id (" + prefix + "-xxxxx)");
  }
  return {};
}

Status check_ids(const std::vector<std::string>& ids, const std::string& prefix, const std::string& what) {
  for (const auto& id : ids) {
    if (Status valid = check_id(id, prefix, what); !valid.ok()) return valid;
  }
  return {};
}

}  // namespace imagelib::cli
