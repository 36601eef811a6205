#include "reference/api/request_json.h"

#include <limits>
#include <utility>

namespace imagelib::api {
namespace {

Status unprocessable(std::string message) {
  return Status(ErrorCode::kUnprocessable, std::move(message));
}

// what() is "[json.exception.parse_error.101] parse error at line 1, column 10: ...".
std::string without_exception_id(const nlohmann::json::exception& error) {
  std::string_view detail = error.what();
  if (const auto end = detail.find("] "); end != std::string_view::npos) detail.remove_prefix(end + 2);
  return std::string(detail);
}

// Refuses a body nested deeper than kMaxJsonDepth before it is parsed:
// nlohmann's dump() and copies recurse once per level, so a body nested
// 65,000 deep under any field would overflow the stack when an error
// message quotes it or the state is copied (SPEC §6).
Status check_nesting(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return Status(ErrorCode::kBadRequest, "JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                                                  " levels at byte " + std::to_string(i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return {};
}

}  // namespace

Result<nlohmann::json> parse_object_body(std::string_view body) {
  if (body.empty()) return nlohmann::json::object();
  if (Status nesting = check_nesting(body); !nesting.ok()) return nesting;
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(body);
  } catch (const nlohmann::json::out_of_range& error) {
    // A number too large for a double ("1e999999"): the client's mistake.
    return Status(ErrorCode::kBadRequest, "a number in the JSON body is out of range: " +
                                              without_exception_id(error));
  } catch (const nlohmann::json::parse_error& error) {
    return Status(ErrorCode::kBadRequest,
                  "malformed JSON at byte " + std::to_string(error.byte) + ": " + without_exception_id(error));
  }
  if (!parsed.is_object()) {
    return Status(ErrorCode::kBadRequest,
                  std::string("the body must be a JSON object, not ") + parsed.type_name());
  }
  return parsed;
}

const nlohmann::json* FieldReader::lookup(std::string_view name) {
  known_.emplace(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

void FieldReader::fail(std::string_view name, std::string_view expected) {
  if (!first_error_.ok()) return;
  const nlohmann::json& value = object_.at(std::string(name));
  first_error_ = unprocessable("field '" + std::string(name) + "' must be " + std::string(expected) +
                               ", not " + value.type_name() + " " +
                               value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<std::string> FieldReader::string(std::string_view name) {
  const nlohmann::json* value = lookup(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    fail(name, "a string");
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<bool> FieldReader::boolean(std::string_view name) {
  const nlohmann::json* value = lookup(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    fail(name, "true or false");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<std::uint32_t> FieldReader::uint32(std::string_view name) {
  const nlohmann::json* value = lookup(name);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_unsigned() ||
      value->get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max()) {
    fail(name, "a whole number from 0 to 4294967295");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value->get<std::uint64_t>());
}

Status FieldReader::finish() const {
  if (!first_error_.ok()) return first_error_;
  for (const auto& [name, value] : object_.items()) {
    if (known_.count(name) == 0) return unprocessable("unknown field '" + name + "'");
  }
  return {};
}

Result<RegisterRequest> parse_register_request(const nlohmann::json& object) {
  FieldReader fields(object);
  RegisterRequest request;
  request.arch = fields.string("arch");
  request.source = fields.string("source");
  request.server = fields.string("server");
  request.http_url = fields.string("http_url");
  request.name = fields.string("name");
  request.description = fields.string("description");
  request.username = fields.string("username");
  request.is_public = fields.boolean("public").value_or(false);
  request.compatibility_mode = fields.boolean("compatibility_mode").value_or(false);
  request.min_ram = fields.uint32("min_ram");
  IMAGELIB_RETURN_IF_ERROR(fields.finish());
  return request;
}

Result<ImageUpdate> parse_image_update(const nlohmann::json& object) {
  FieldReader fields(object);
  ImageUpdate update;
  update.name = fields.string("name");
  update.description = fields.string("description");
  update.username = fields.string("username");
  update.arch = fields.string("arch");
  update.min_ram = fields.uint32("min_ram");
  update.is_public = fields.boolean("public");
  update.compatibility_mode = fields.boolean("compatibility_mode");
  update.status = fields.string("status");
  IMAGELIB_RETURN_IF_ERROR(fields.finish());
  return update;
}

Result<ServerRequest> parse_server_request(const nlohmann::json& object) {
  FieldReader fields(object);
  ServerRequest request;
  const auto image = fields.string("image");
  request.name = fields.string("name");
  request.server_type = fields.string("server_type");
  IMAGELIB_RETURN_IF_ERROR(fields.finish());
  if (!image) return unprocessable("field 'image' is required: the id of an image");
  request.image = *image;
  return request;
}

Status expect_no_fields(const nlohmann::json& object) {
  return FieldReader(object).finish();
}

}  // namespace imagelib::api
