#include "net/library_host.h"

#include "net/clock.h"

namespace imagelib::net {

LibraryHost::LibraryHost(boost::asio::io_context& io, std::unique_ptr<Library> library)
    : library_(std::move(library)), api_(std::make_unique<ApiService>(*library_)), job_timer_(io) {}

void LibraryHost::set_api_options(ApiOptions options) {
  api_ = std::make_unique<ApiService>(*library_, std::move(options));
}

HttpResponse LibraryHost::handle_api(const HttpRequest& request) {
  HttpResponse response = api_->handle(request, wall_clock_now());
  schedule_jobs();
  return response;
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
  library_->run_jobs_until(wall_clock_now());
  schedule_jobs();
}

}  // namespace imagelib::net
