#include "reference/api/handlers.h"
#include "reference/api/request_json.h"

namespace imagelib::api {
namespace {

auto server_to_json(const Call& call) {
  return [&call](const Server& server) {
    return server_json(call.library.view_server(server), json_context(call));
  };
}

}  // namespace

ApiJsonContext json_context(const Call& call) {
  return {call.options.api_base, call.library.options().ftp_host, call.options.server_domain};
}

HttpResponse list_servers(const Call& call) {
  nlohmann::json listed = nlohmann::json::array();
  for (const Server& server : call.library.list_servers(call.caller)) {
    listed.push_back(server_to_json(call)(server));
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

// 202 with the server as the body, its `snapshots` naming the new image too;
// the Link header names the new image.
HttpResponse snapshot_server(const Call& call) {
  if (Status fields = expect_no_fields(call.body); !fields.ok()) return error_response(fields);
  auto image = call.library.snapshot_server(call.caller, call.id, call.at);
  if (!image.ok()) return error_response(image.status());
  HttpResponse response =
      result_response(call.library.show_server(call.caller, call.id), 202, server_to_json(call));
  response.headers["link"] = "<" + call.options.api_base + "/1.0/images/" + image->id + ">; rel=snapshot";
  return response;
}

// 202 with the server as it was, `status` "deleted" and `deleted_at` the
// time of the call.
HttpResponse destroy_server(const Call& call) {
  auto server = call.library.destroy_server(call.caller, call.id);
  if (!server.ok()) return error_response(server.status());
  ServerView view = call.library.view_server(*server);
  view.deleted_at = call.at;
  return json_response(202, server_json(view, json_context(call)));
}

}  // namespace imagelib::api
