#include "net/library_host.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <iostream>

#include "net/clock.h"

namespace imagelib::net {
namespace {

using nlohmann::json;

// What a decode gave, as journaled with the job's completion.
json result_summary(const JobResult& result) {
  if (!result.decoded.ok()) return {{"ok", false}, {"reason", result.decoded.status().message()}};
  return {{"ok", true},
          {"format", result.decoded->format},
          {"virtual_size", result.decoded->virtual_size},
          {"disk_size", result.decoded->disk_size},
          {"sha256", result.decoded->sha256}};
}

// The inverse, for a replay that keeps the decoded disk the first run wrote.
Result<DecodedImage> decoded_from_summary(const json& summary) {
  if (!summary.at("ok").get<bool>()) {
    return Status(ErrorCode::kBadImage, summary.at("reason").get<std::string>());
  }
  return DecodedImage{summary.at("format").get<std::string>(), summary.at("virtual_size").get<std::uint64_t>(),
                      summary.at("disk_size").get<std::uint64_t>(), summary.at("sha256").get<std::string>()};
}

}  // namespace

LibraryHost::LibraryHost(boost::asio::io_context& io, std::unique_ptr<Library> library,
                         ApiOptions api_options, LibraryHostOptions options)
    : io_(io),
      library_(std::move(library)),
      api_(*library_, std::move(api_options)),
      options_(std::move(options)),
      login_throttle_(options_.login_throttle),
      job_timer_(io),
      workers_(std::max<std::size_t>(1, options_.decode_threads)) {}

LibraryHost::~LibraryHost() {
  workers_.stop();
  workers_.join();
}

std::vector<PendingJob> LibraryHost::jobs_in_progress() const { return in_progress_; }

void LibraryHost::journal(json header, ByteView payload) {
  if (!journal_) return;
  const Status written = journal_->append(header, payload);
  if (!written.ok()) std::cerr << "imagelib serve: " << written.to_string() << "\n";
}

HttpResponse LibraryHost::handle_api(const HttpRequest& request) {
  const Timestamp now = wall_clock_now();
  // A request the core refuses before acting changes nothing: answered, never
  // journaled (SPEC §6: nothing unauthenticated reaches the disk).
  auto admitted = api_.admit(request, now);
  if (auto* refused = std::get_if<HttpResponse>(&admitted)) return std::move(*refused);
  journal(
      {{"t", "api"},
       {"at", now.micros()},
       {"method", request.method},
       {"target", request.target},
       {"headers", request.headers}},
      ByteView(reinterpret_cast<const std::uint8_t*>(request.body.data()), request.body.size()));
  // Due jobs go to the workers first, so the core's own run_jobs_until(now)
  // finds none to run on this thread.
  start_due_jobs(now);
  HttpResponse response = api_.handle(std::get<ApiService::Admitted>(admitted), now);
  schedule_jobs();
  return response;
}

std::unique_ptr<JournaledFtpSession> LibraryHost::open_ftp_session(std::string peer_address) {
  FtpServerOptions options = options_.ftp;
  options.login_failure_delay = std::max<Duration>(
      options.login_failure_delay,
      std::chrono::duration_cast<Duration>(login_throttle_.delay(peer_address, LoginThrottle::Clock::now())));
  auto on_login_failed = [this, peer_address] {
    login_throttle_.record_failure(peer_address, LoginThrottle::Clock::now());
  };
  return std::make_unique<JournaledFtpSession>(*library_, std::move(options), std::move(peer_address),
                                               journal_.get(), next_ftp_session_++, blobs_by_reference_,
                                               std::move(on_login_failed));
}

void LibraryHost::schedule_jobs() {
  const std::optional<Timestamp> due = library_->next_job_due();
  if (!due || (timer_due_ && *timer_due_ <= *due)) return;
  timer_due_ = due;
  const Duration wait = *due - wall_clock_now();
  job_timer_.expires_after(wait.count() > 0 ? wait : Duration::zero());
  job_timer_.async_wait([this](boost::system::error_code error) {
    if (error) return;  // cancelled: the host is going away
    on_job_timer();
  });
}

void LibraryHost::on_job_timer() {
  timer_due_.reset();
  const Timestamp now = wall_clock_now();
  journal({{"t", "jobs"}, {"at", now.micros()}});
  start_due_jobs(now);
  schedule_jobs();
}

void LibraryHost::start_due_jobs(Timestamp now) {
  while (auto job = library_->take_due_job(now)) start_decode(std::move(*job));
}

void LibraryHost::start_decode(PendingJob job) {
  in_progress_.push_back(job);
  // The guard keeps io_context::run() going while the decode runs.
  boost::asio::post(workers_, [this, job = std::move(job), alive = std::weak_ptr<int>(alive_),
                               work = boost::asio::make_work_guard(io_)] {
    if (options_.before_decode) options_.before_decode();
    auto result = std::make_shared<JobResult>(Library::run_job(job));
    boost::asio::post(io_, [this, job, result, alive] {
      if (alive.expired()) return;
      finish_decode(job, std::move(*result));
    });
  });
}

void LibraryHost::finish_decode(const PendingJob& job, JobResult result) {
  std::erase_if(in_progress_, [&](const PendingJob& p) { return p.image == job.image; });
  json done = {{"t", "job_done"},
               {"at", wall_clock_now().micros()},
               {"image", job.image},
               {"result", result_summary(result)}};
  // The disk's file is synced (Library::run_job): a replay keeps it.
  if (blobs_by_reference_) done["disk_bytes"] = result.disk->size();
  journal(std::move(done));
  library_->commit_job(job, std::move(result));
}

void LibraryHost::replay_due_jobs(Timestamp at) {
  if (serial_replay_) {
    library_->run_jobs_until(at);
    return;
  }
  while (auto job = library_->take_due_job(at)) in_progress_.push_back(std::move(*job));
}

Status LibraryHost::replay_job_done(const json& header) {
  const auto image = header.at("image").get<std::string>();
  auto job = std::find_if(in_progress_.begin(), in_progress_.end(),
                          [&](const PendingJob& p) { return p.image == image; });
  if (job == in_progress_.end()) {
    return Status(ErrorCode::kInternal, "journal: completion of a job never taken: " + image);
  }
  const PendingJob taken = *job;
  in_progress_.erase(job);
  if (header.contains("disk_bytes")) {  // the disk is the file the first run decoded into
    JobResult kept;
    kept.disk = taken.store->create(taken.disk_key);
    IMAGELIB_RETURN_IF_ERROR(kept.disk->resize(header.at("disk_bytes").get<std::uint64_t>()));
    kept.decoded = decoded_from_summary(header.at("result"));
    library_->commit_job(taken, std::move(kept));
    return {};
  }
  // The disk is not kept: decode it again (deterministic), here.
  JobResult result = Library::run_job(taken);
  if (result_summary(result) != header.at("result")) {
    std::cerr << "imagelib serve: journal: " << image << " decodes to " << result_summary(result)
              << " today but to " << header.at("result") << " when journaled; keeping today's\n";
  }
  library_->commit_job(taken, std::move(result));
  return {};
}

Status LibraryHost::replay(const json& header, ByteView payload) {
  try {
    const std::string type = header.at("t").get<std::string>();
    if (type == "api") {
      HttpRequest request;
      request.method = header.at("method").get<std::string>();
      request.target = header.at("target").get<std::string>();
      request.headers = header.at("headers").get<std::map<std::string, std::string>>();
      request.body.assign(payload.begin(), payload.end());
      last_replayed_ = Timestamp::from_micros(header.at("at").get<std::int64_t>());
      replay_due_jobs(last_replayed_);
      api_.handle(request, last_replayed_);
      return {};
    }
    if (type == "jobs") {
      last_replayed_ = Timestamp::from_micros(header.at("at").get<std::int64_t>());
      replay_due_jobs(last_replayed_);
      return {};
    }
    if (type == "job_done") {
      last_replayed_ = Timestamp::from_micros(header.at("at").get<std::int64_t>());
      return replay_job_done(header);
    }
    if (type == "ftp") {
      const auto number = header.at("s").get<std::uint64_t>();
      next_ftp_session_ = std::max(next_ftp_session_, number + 1);
      if (is_ftp_session_open(header)) {
        replayed_sessions_[number] = std::make_unique<FtpServerSession>(
            *library_, ftp_session_options(header, options_.ftp), ftp_session_peer(header));
        return {};
      }
      auto session = replayed_sessions_.find(number);
      if (session == replayed_sessions_.end()) {
        return Status(ErrorCode::kInternal, "journal: event of an unknown FTP session");
      }
      last_replayed_ = Timestamp::from_micros(header.at("at").get<std::int64_t>());
      // Events after the session closed (a late data_closed) are ignored by it, as live.
      return replay_ftp_event(*session->second, header, payload);
    }
    return Status(ErrorCode::kInternal, "journal: unknown record type " + type);
  } catch (const json::exception& error) {
    return Status(ErrorCode::kInternal, std::string("journal: bad record: ") + error.what());
  }
}

Status LibraryHost::restore(LibraryRecords records, const std::vector<TokenStore::Held>& tokens) {
  IMAGELIB_RETURN_IF_ERROR(library_->restore(std::move(records)));
  api_.tokens().restore(tokens);
  return {};
}

void LibraryHost::attach_journal(std::unique_ptr<Journal> opened, bool blobs_by_reference) {
  journal_ = std::move(opened);
  blobs_by_reference_ = blobs_by_reference;
  finish_replay();
  // Decodes the old process had taken but not finished start again.
  std::vector<PendingJob> interrupted;
  interrupted.swap(in_progress_);
  for (PendingJob& job : interrupted) start_decode(std::move(job));
  schedule_jobs();
}

void LibraryHost::finish_replay() {
  for (auto& [number, session] : replayed_sessions_) {
    if (session->is_closed()) continue;
    journal(
        {{"t", "ftp"}, {"s", number}, {"e", "control_closed"}, {"at", last_replayed_.micros()}});
    session->on_control_closed(last_replayed_);
  }
  replayed_sessions_.clear();
}

}  // namespace imagelib::net
