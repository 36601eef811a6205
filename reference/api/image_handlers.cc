#include "reference/api/handlers.h"
#include "reference/api/request_json.h"
#include "reference/library/json.h"

namespace imagelib::api {
namespace {

auto image_to_json(const Call& call) {
  return [&call](const Image& image) { return image_json(image, call.options.api_base); };
}

}  // namespace

HttpResponse list_images(const Call& call) {
  nlohmann::json listed = nlohmann::json::array();
  for (const Image& image : call.library.list_images(call.caller)) {
    listed.push_back(image_json(image, call.options.api_base));
  }
  return json_response(200, listed);
}

HttpResponse create_image(const Call& call) {
  auto request = parse_register_request(call.body);
  if (!request.ok()) return error_response(request.status());
  return result_response(call.library.register_image(call.caller, *request, call.at), 201,
                         image_to_json(call));
}

HttpResponse show_image(const Call& call) {
  return result_response(call.library.show_image(call.caller, call.id), 200, image_to_json(call));
}

HttpResponse update_image(const Call& call) {
  auto update = parse_image_update(call.body);
  if (!update.ok()) return error_response(update.status());
  return result_response(call.library.update_image(call.caller, call.id, *update), 200,
                         image_to_json(call));
}

HttpResponse destroy_image(const Call& call) {
  return result_response(call.library.destroy_image(call.caller, call.id), 202, image_to_json(call));
}

HttpResponse set_image_lock(const Call& call, bool locked) {
  if (Status fields = expect_no_fields(call.body); !fields.ok()) return error_response(fields);
  return result_response(call.library.set_image_lock(call.caller, call.id, locked), 200,
                         image_to_json(call));
}

}  // namespace imagelib::api
