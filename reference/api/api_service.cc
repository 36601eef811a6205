#include "reference/api/api_service.h"

#include <utility>

#include "reference/api/responses.h"

namespace imagelib {

ApiService::ApiService(Library& library, ApiOptions options)
    : library_(library),
      options_(std::move(options)),
      tokens_(Rng(library.options().seed).stream("api-tokens"), options_.token_lifetime) {}

HttpResponse ApiService::handle(const HttpRequest& request, Timestamp at) {
  library_.run_jobs_until(at);
  if (request.body.size() > options_.max_body_bytes) {
    return api::http_error_response(413, "payload_too_large",
                                    "the body has " + std::to_string(request.body.size()) +
                                        " bytes; the limit is " +
                                        std::to_string(options_.max_body_bytes));
  }
  return dispatch(request, at);
}

HttpResponse ApiService::dispatch(const HttpRequest& request, Timestamp /*at*/) {
  // Routing and the endpoints land in the next commits (routes.cc, handlers).
  return api::error_response(Status(ErrorCode::kNotFound, "no endpoint at " + request.target));
}

}  // namespace imagelib
