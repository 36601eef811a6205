// LibraryHost: the one owner of the reference Library and its API core in a
// real deployment. Every call into the core goes through it, on the thread
// that runs the server's io_context (that thread is the strand that
// serialises the core), stamped with the wall clock. It ends the Library's
// jobs when they fall due with an Asio timer, so a registration finishes
// even when no request comes. With a Journal, every input is journaled
// before the core sees it, and replay() feeds a journal back in at start.
// Callers: ApiServer, FtpsServer, tools/serve_command.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "net/journal.h"
#include "net/journaled_ftp_session.h"
#include "reference/api/api_service.h"
#include "reference/library/library.h"

namespace imagelib::net {

class LibraryHost {
 public:
  LibraryHost(boost::asio::io_context& io, std::unique_ptr<Library> library, ApiOptions api_options,
              FtpServerOptions ftp_options = {});
  ~LibraryHost();

  Library& library() { return *library_; }
  // Answers one API request at the current time.
  HttpResponse handle_api(const HttpRequest& request);
  // A new FTP session core (journaled when there is a journal).
  std::unique_ptr<JournaledFtpSession> open_ftp_session(std::string peer_address);
  // Call after anything that may have started a job: arms the job timer.
  void schedule_jobs();

  // --- persistence ---
  // Feeds one journaled input (not the "start" record) back into the core.
  Status replay(const nlohmann::json& header, ByteView payload);
  // After replay: closes the FTP sessions the journal left open (their
  // connections died with the old process), then journals from now on.
  void attach_journal(std::unique_ptr<Journal> opened);

 private:
  void on_job_timer();
  void journal(nlohmann::json header, ByteView payload = {});

  std::unique_ptr<Library> library_;
  ApiService api_;
  FtpServerOptions ftp_options_;
  boost::asio::steady_timer job_timer_;
  std::optional<Timestamp> timer_due_;
  std::unique_ptr<Journal> journal_;
  std::uint64_t next_ftp_session_ = 1;
  // Sessions being replayed, by number; emptied by attach_journal().
  std::map<std::uint64_t, std::unique_ptr<FtpServerSession>> replayed_sessions_;
  Timestamp last_replayed_;
};

}  // namespace imagelib::net
