// LibraryHost: the one owner of the reference Library and its API core in a
// real deployment. Every call into the core goes through it, on the thread
// that runs the server's io_context (that thread is the strand that
// serialises the core), stamped with the wall clock. Registrations and
// snapshots fall due with an Asio timer (or with the first request after
// their time); the host takes each due job out of the Library, decodes it on
// a worker thread (Library::run_job touches only the job's immutable source
// and the new disk) and posts the result back to the io thread, which
// commits it. API requests and FTP sessions are answered meanwhile.
// With a Journal, every input is journaled before the core sees it, and so
// is each job's completion, with its result: replay() takes jobs at the
// same points and, where a completion was journaled, takes the disk the
// first run decoded into its blob file (blobs by reference: net/journal.md)
// or, for a journal without, re-runs the decode serially and checks the
// result against the journal; attach_journal() hands the jobs a crash
// interrupted to the workers again.
// Callers: ApiServer, FtpsServer, tools/serve_command, net/ tests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "net/journal.h"
#include "net/journaled_ftp_session.h"
#include "net/login_throttle.h"
#include "reference/api/api_service.h"
#include "reference/library/library.h"

namespace imagelib::net {

struct LibraryHostOptions {
  FtpServerOptions ftp;
  // Failed logins and token requests per address (FTP and API alike).
  LoginThrottleLimits login_throttle;
  // Threads that decode registrations and snapshots.
  std::size_t decode_threads = 2;
  // Tests only: called on the decoding thread before each decode (a gate
  // that holds a job in progress).
  std::function<void()> before_decode;
};

class LibraryHost {
 public:
  LibraryHost(boost::asio::io_context& io, std::unique_ptr<Library> library, ApiOptions api_options,
              LibraryHostOptions options = {});
  // Waits for decodes in progress (their results are dropped).
  ~LibraryHost();

  Library& library() { return *library_; }
  ApiService& api() { return api_; }
  // Shared by the FTP and API servers; a new FTP session's failed logins
  // wait as long as its address's delay (at least options.ftp's).
  LoginThrottle& login_throttle() { return login_throttle_; }
  // Jobs taken out of the Library whose decode has not been committed yet
  // (during replay: taken, completion not yet replayed), earliest first.
  std::vector<PendingJob> jobs_in_progress() const;
  // Answers one API request at the current time.
  HttpResponse handle_api(const HttpRequest& request);
  // A new FTP session core (journaled when there is a journal).
  std::unique_ptr<JournaledFtpSession> open_ftp_session(std::string peer_address);
  // Call after anything that may have started a job: arms the job timer.
  void schedule_jobs();

  // --- persistence ---
  // Feeds one journaled input (not the "start" record) back into the core.
  Status replay(const nlohmann::json& header, ByteView payload);
  // For journals written before jobs were decoded on workers (a "start"
  // record without "version"): jobs end serially when their time comes.
  void replay_jobs_serially() { serial_replay_ = true; }
  // Replaces a fresh core's state with a snapshot's (net/core_snapshot).
  Status restore(LibraryRecords records, const std::vector<TokenStore::Held>& tokens);
  // After replay: closes the FTP sessions the journal left open (their
  // connections died with the old process). Journaled when a journal is
  // attached; attach_journal() calls it too.
  void finish_replay();
  // After replay: finish_replay(), starts the decodes that were in progress,
  // then journals from now on. `blobs_by_reference`: the store keeps blobs in
  // files that survive a restart (a FileBlobStore), so uploads' bytes and
  // decoded disks are journaled by the file that holds them, not copied.
  void attach_journal(std::unique_ptr<Journal> opened, bool blobs_by_reference = false);

 private:
  void on_job_timer();
  void journal(nlohmann::json header, ByteView payload = {});
  // Takes every job due by `now` and starts its decode on a worker.
  void start_due_jobs(Timestamp now);
  void start_decode(PendingJob job);
  // On the io thread: journals the job's completion and commits it.
  void finish_decode(const PendingJob& job, JobResult result);
  // Replay: takes every job due by `at` (or, for old journals, ends them).
  void replay_due_jobs(Timestamp at);
  Status replay_job_done(const nlohmann::json& header);

  boost::asio::io_context& io_;
  std::unique_ptr<Library> library_;
  ApiService api_;
  LibraryHostOptions options_;
  LoginThrottle login_throttle_;
  boost::asio::steady_timer job_timer_;
  std::optional<Timestamp> timer_due_;
  std::unique_ptr<Journal> journal_;
  std::uint64_t next_ftp_session_ = 1;
  // Sessions being replayed, by number; emptied by attach_journal().
  std::map<std::uint64_t, std::unique_ptr<FtpServerSession>> replayed_sessions_;
  Timestamp last_replayed_;
  bool serial_replay_ = false;
  bool blobs_by_reference_ = false;
  // Jobs on the workers (live) or taken and not yet completed (replay).
  std::vector<PendingJob> in_progress_;
  // Handlers posted by workers hold a weak reference: none runs after the host is gone.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  boost::asio::thread_pool workers_;
};

}  // namespace imagelib::net
