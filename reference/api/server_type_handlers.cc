#include "reference/api/handlers.h"
#include "reference/library/server_types.h"

namespace imagelib::api {

HttpResponse list_server_types(const Call& call) {
  nlohmann::json listed = nlohmann::json::array();
  for (const ServerType& type : server_types()) {
    listed.push_back(server_type_json(type, call.options.api_base));
  }
  return json_response(200, listed);
}

// By id, or by handle as POST /1.0/servers takes it (decision).
HttpResponse show_server_type(const Call& call) {
  const ServerType* type = find_server_type(call.id);
  if (type == nullptr) {
    return error_response(Status(ErrorCode::kNotFound, "no server type " + call.id));
  }
  return json_response(200, server_type_json(*type, call.options.api_base));
}

}  // namespace imagelib::api
