#include "reference/api/handlers.h"
#include "reference/api/request_json.h"
#include "reference/library/json.h"

namespace imagelib::api {
namespace {

auto server_to_json(const Call& call) {
  return [&call](const Server& server) { return server_json(server, call.options.api_base); };
}

}  // namespace

HttpResponse list_servers(const Call& call) {
  nlohmann::json listed = nlohmann::json::array();
  for (const Server& server : call.library.list_servers(call.caller)) {
    listed.push_back(server_json(server, call.options.api_base));
  }
  return json_response(200, listed);
}

HttpResponse create_server(const Call& call) {
  auto request = parse_server_request(call.body);
  if (!request.ok()) return error_response(request.status());
  return result_response(call.library.create_server(call.caller, *request, call.at), 202,
                         server_to_json(call));
}

HttpResponse show_server(const Call& call) {
  return result_response(call.library.show_server(call.caller, call.id), 200, server_to_json(call));
}

// 202 with the server as the body; the new image is named by the Link header.
HttpResponse snapshot_server(const Call& call) {
  if (Status fields = expect_no_fields(call.body); !fields.ok()) return error_response(fields);
  auto image = call.library.snapshot_server(call.caller, call.id, call.at);
  if (!image.ok()) return error_response(image.status());
  HttpResponse response =
      result_response(call.library.show_server(call.caller, call.id), 202, server_to_json(call));
  response.headers["link"] = "<" + call.options.api_base + "/1.0/images/" + image->id + ">; rel=snapshot";
  return response;
}

}  // namespace imagelib::api
