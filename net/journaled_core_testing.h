// Helpers of the tests of a library host and its journaled core
// (net/library_host.h, net/journaled_core.h): a setup
// with an official image, API calls, FTP control lines and uploads, and the
// contents of what the Library holds.
#pragma once

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/basic_auth.h"
#include "net/journaled_core.h"
#include "net/temp_dir_testing.h"

namespace imagelib::net {

inline const Timestamp kStart = Timestamp::from_unix_seconds(1700000000);

inline Bytes disk_content(std::uint8_t fill) {
  Bytes disk(5 * 65536, 0);
  for (std::size_t i = 0; i < 9000; ++i) disk[i] = static_cast<std::uint8_t>(fill + i % 11);
  return disk;
}

inline HttpResponse call(LibraryHost& host, const std::string& method, const std::string& target,
                  const std::string& authorization, const nlohmann::json& body = nullptr) {
  HttpRequest request{method, target, {{"authorization", authorization}}, ""};
  if (!body.is_null()) {
    request.headers["content-type"] = "application/json";
    request.body = body.dump();
  }
  return host.handle_api(request);
}

inline std::string new_token(LibraryHost& host, const ProvisionedClient& client) {
  const HttpResponse issued = call(host, "POST", "/token", basic_authorization(client.client, client.secret),
                                   {{"grant_type", "client_credentials"}});
  EXPECT_EQ(issued.status, 200) << issued.body;
  return nlohmann::json::parse(issued.body).at("access_token").get<std::string>();
}

// Runs the io_context on this thread until no job is due or decoding.
inline void run_jobs_to_the_end(boost::asio::io_context& io, LibraryHost& host) {
  io.restart();  // it stops whenever it runs out of work
  host.schedule_jobs();
  while (host.library().next_job_due() || !host.jobs_in_progress().empty()) {
    if (io.run_one() == 0) {
      ADD_FAILURE() << "jobs are left but nothing runs";
      return;
    }
  }
}

// Accounts with an official image read from a file in `dir`.
inline CoreSetup setup_in(const TempDir& dir) {
  const std::string image_file = dir.file("official.img");
  std::ofstream(image_file, std::ios::binary)
      .write(reinterpret_cast<const char*>(disk_content(3).data()), 5 * 65536);
  CoreSetup setup;
  setup.library.job_time = Duration::zero();
  setup.store = std::make_shared<MemoryBlobStore>();
  setup.accounts = default_accounts_config();
  setup.accounts.official_images.push_back(OfficialImageConfig{"Official", image_file});
  setup.first_seed = 11;
  setup.next_seed = [](std::uint64_t previous) { return previous * 31 + 7; };
  return setup;
}

// Feeds `text` to an FTP session and plays the control TLS it asks for.
inline std::string send_ftp(JournaledFtpSession& session, const std::string& text, Timestamp at) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  std::string replies;
  for (const FtpServerAction& action : session.on_control_bytes(ByteView(bytes, text.size()), at)) {
    if (const auto* reply = std::get_if<FtpSendReply>(&action)) replies += reply->text;
    if (std::holds_alternative<FtpStartControlTls>(action)) session.on_control_tls_established("tls-1", at);
  }
  return replies;
}

// Logs in over TLS, then uploads `content` to incoming/`name` in reads of
// `piece` bytes; with `finish`, the data connection then ends cleanly.
// Returns every reply.
inline std::string upload(JournaledFtpSession& session, const std::string& user, const std::string& password,
                          const std::string& name, ByteView content, Timestamp at, bool finish = true,
                          std::size_t piece = 64 * 1024) {
  session.on_connected(at);
  std::string replies = send_ftp(session, "AUTH TLS\r\n", at);
  replies += send_ftp(session, "USER " + user + "\r\nPASS " + password + "\r\nPBSZ 0\r\nPROT P\r\nTYPE I\r\n", at);
  for (const FtpServerAction& action : session.on_control_bytes(to_bytes("PASV\r\n"), at)) {
    if (std::holds_alternative<FtpOpenPassiveListener>(action)) {
      for (const FtpServerAction& opened : session.on_passive_listener_opened(40000, "192.0.2.1", at)) {
        if (const auto* reply = std::get_if<FtpSendReply>(&opened)) replies += reply->text;
      }
    }
  }
  replies += send_ftp(session, "STOR incoming/" + name + "\r\n", at);
  const DataConnectionId data = 1;
  const auto collect = [&](const FtpServerActions& actions) {
    for (const FtpServerAction& action : actions) {
      if (const auto* reply = std::get_if<FtpSendReply>(&action)) replies += reply->text;
    }
  };
  collect(session.on_data_connection_accepted(data, "192.0.2.9", at));
  collect(session.on_data_tls_established(data, "tls-1", at));
  for (std::size_t done = 0; done < content.size(); done += piece) {
    collect(session.on_data_bytes(data, content.subspan(done, std::min(piece, content.size() - done)), at));
  }
  if (finish) collect(session.on_data_closed(data, DataCloseReason::kFinished, at));
  return replies;
}

// The bytes of every image's file and disk and of every file in incoming/.
inline std::string contents_of(Library& library) {
  std::string all;
  const auto add = [&](const std::string& name, const std::shared_ptr<const Blob>& blob) {
    if (!blob) return;
    const Bytes bytes = read_all(*blob).value();
    all += name + ":" + std::string(bytes.begin(), bytes.end()) + "\n";
  };
  const LibraryRecords records = library.records();
  for (const Image& image : records.images) {
    add(image.id + " file", image.file);
    add(image.id + " disk", image.disk);
  }
  for (const auto& [account, files] : records.incoming) {
    for (const auto& [name, file] : files) add(account + " incoming/" + name, file.content);
  }
  return all;
}

}  // namespace imagelib::net
