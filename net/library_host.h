// LibraryHost: the one owner of the reference Library and its API core in a
// real deployment. Every call into the core goes through it, on the thread
// that runs the server's io_context (that thread is the strand that
// serialises the core), stamped with the wall clock. It also ends the
// Library's jobs when they fall due, with an Asio timer, so a registration
// finishes even when no request comes. Callers: ApiServer, FtpsServer,
// tools/serve_command.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>

#include "reference/api/api_service.h"
#include "reference/library/library.h"

namespace imagelib::net {

class LibraryHost {
 public:
  LibraryHost(boost::asio::io_context& io, std::unique_ptr<Library> library);

  Library& library() { return *library_; }
  // Sets the API's options (its base URL is known once the API port is
  // bound); call before the first request.
  void set_api_options(ApiOptions options);
  // Answers one API request at the current time.
  HttpResponse handle_api(const HttpRequest& request);
  // Call after anything that may have started a job: arms the job timer.
  void schedule_jobs();

 private:
  void on_job_timer();

  std::unique_ptr<Library> library_;
  std::unique_ptr<ApiService> api_;
  boost::asio::steady_timer job_timer_;
  std::optional<Timestamp> timer_due_;
};

}  // namespace imagelib::net
