#include "net/library_host.h"

#include <iostream>

#include "net/clock.h"

namespace imagelib::net {
namespace {

using nlohmann::json;

}  // namespace

LibraryHost::LibraryHost(boost::asio::io_context& io, std::unique_ptr<Library> library,
                         ApiOptions api_options, FtpServerOptions ftp_options)
    : library_(std::move(library)),
      api_(*library_, std::move(api_options)),
      ftp_options_(std::move(ftp_options)),
      job_timer_(io) {}

LibraryHost::~LibraryHost() = default;

void LibraryHost::journal(json header, ByteView payload) {
  if (!journal_) return;
  const Status written = journal_->append(header, payload);
  if (!written.ok()) std::cerr << "imagelib serve: " << written.to_string() << "\n";
}

HttpResponse LibraryHost::handle_api(const HttpRequest& request) {
  const Timestamp now = wall_clock_now();
  journal({{"t", "api"}, {"at", now.micros()}, {"method", request.method},
           {"target", request.target}, {"headers", request.headers}},
          ByteView(reinterpret_cast<const std::uint8_t*>(request.body.data()), request.body.size()));
  HttpResponse response = api_.handle(request, now);
  schedule_jobs();
  return response;
}

std::unique_ptr<JournaledFtpSession> LibraryHost::open_ftp_session(std::string peer_address) {
  return std::make_unique<JournaledFtpSession>(*library_, ftp_options_, std::move(peer_address),
                                               journal_.get(), next_ftp_session_++);
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
  library_->run_jobs_until(now);
  schedule_jobs();
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
      api_.handle(request, last_replayed_);
      return {};
    }
    if (type == "jobs") {
      last_replayed_ = Timestamp::from_micros(header.at("at").get<std::int64_t>());
      library_->run_jobs_until(last_replayed_);
      return {};
    }
    if (type == "ftp") {
      const auto number = header.at("s").get<std::uint64_t>();
      next_ftp_session_ = std::max(next_ftp_session_, number + 1);
      if (is_ftp_session_open(header)) {
        replayed_sessions_[number] =
            std::make_unique<FtpServerSession>(*library_, ftp_options_, ftp_session_peer(header));
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

void LibraryHost::attach_journal(std::unique_ptr<Journal> opened) {
  journal_ = std::move(opened);
  for (auto& [number, session] : replayed_sessions_) {
    if (session->is_closed()) continue;
    journal({{"t", "ftp"}, {"s", number}, {"e", "control_closed"}, {"at", last_replayed_.micros()}});
    session->on_control_closed(last_replayed_);
  }
  replayed_sessions_.clear();
  schedule_jobs();
}

}  // namespace imagelib::net
