// What the client commands (accounts, images, servers, ftp) talk to: the
// target's API and FTPS URLs and credentials, from flags or environment
// variables, and the connections made from them. The API side gets a token
// with client credentials and turns error replies into the one line
// brightbox-cli prints ("ERROR: " + the API's messages). Callers: the
// tools/*_command.cc client commands only.
#pragma once

#include <CLI/CLI.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "net/api_client.h"
#include "reference/base/status.h"
#include "reference/ftp/ftp_client_session.h"

namespace imagelib::cli {

struct TargetOptions {
  std::string api;            // --api, IMAGELIB_API: https://HOST:PORT
  std::string ftp;            // --ftp, IMAGELIB_FTP: ftps://HOST:PORT
  std::string client_id;      // --client-id, IMAGELIB_CLIENT_ID
  std::string client_secret;  // --client-secret, IMAGELIB_CLIENT_SECRET
  std::string ftp_user;       // --ftp-user, IMAGELIB_FTP_USER
  std::string ftp_password;   // --ftp-password, IMAGELIB_FTP_PASSWORD
  std::string cacert;         // --cacert: verify the server against this CA file
  bool insecure = false;      // -k, --insecure: accept any certificate (as curl -k)
  std::string output = "table";
  bool quiet = false;
};

enum class TargetUse : std::uint8_t { kApi, kFtp };

// Adds the options above to one leaf command (each may come after it).
void add_target_options(CLI::App& command, TargetOptions& options, TargetUse use);

// The client TLS context the options ask for to reach `host`: --insecure
// accepts any certificate; otherwise it must name `host` and chain to
// --cacert's CAs, or to the system's CA store without --cacert.
Result<std::unique_ptr<boost::asio::ssl::context>> client_tls(const TargetOptions& options,
                                                              const std::string& host);

// An API connection with a token; every call checks the status it expects.
class ApiSession {
 public:
  static Result<std::unique_ptr<ApiSession>> open(const TargetOptions& options);

  // The reply's body, or an error whose message is the line to print.
  Result<nlohmann::json> call(const std::string& method, const std::string& target,
                              const nlohmann::json& body, int expected_status);
  // As call(), with the whole reply (headers too).
  Result<net::ApiReply> call_reply(const std::string& method, const std::string& target,
                                   const nlohmann::json& body, int expected_status);
  // The reply whatever its status; an error only when there is none.
  Result<net::ApiReply> send(const std::string& method, const std::string& target,
                             const nlohmann::json& body);

 private:
  ApiSession(std::string api, std::unique_ptr<boost::asio::ssl::context> tls);

  std::string api_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  net::ApiClient client_;
};

// brightbox-cli's find_all_or_warn: every resource of `collection`
// ("/1.0/servers") without ids; otherwise each one named, where one that does
// not exist prints "WARN: <not_found> <id>" and is left out.
Result<std::vector<nlohmann::json>> find_all_or_warn(ApiSession& api, const std::string& collection,
                                                     const std::vector<std::string>& ids,
                                                     const std::string& not_found);

// The one line brightbox-cli prints for an API error reply: the "errors"
// joined by spaces, or OAuth's "error" and its description.
std::string api_error_line(const net::ApiReply& reply);

// The FTPS side: where to connect, with which TLS context and login.
struct FtpTarget {
  boost::asio::ip::tcp::endpoint endpoint;
  std::unique_ptr<boost::asio::ssl::context> tls;
  FtpClientOptions login;
};
Result<FtpTarget> open_ftp_target(const TargetOptions& options);

// brightbox-cli's informational lines ("Locked image img-xxxxx"): on
// standard error once the action succeeded (a failure prints only its one
// ERROR line), unless --quiet; standard output holds only the table or JSON.
void say(const TargetOptions& options, const std::string& message);
// 0 when ok; otherwise prints the one line "ERROR: ..." and returns 1.
int exit_status(const Status& status);

// Checks `id` looks like PREFIX-xxxxx (SPEC §1), e.g. "img".
Status check_id(const std::string& id, const std::string& prefix, const std::string& what);
// check_id for each of `ids`: the first that fails.
Status check_ids(const std::vector<std::string>& ids, const std::string& prefix, const std::string& what);

// The arguments of a command that acts on resources named by id.
struct IdsArgs {
  TargetOptions target;
  std::vector<std::string> ids;
};

}  // namespace imagelib::cli
