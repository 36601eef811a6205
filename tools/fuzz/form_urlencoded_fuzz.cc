// libFuzzer target for the form decoder of the API (reference/api/
// form_urlencoded: the query of every request target and the body of
// POST /token, from anyone). On any input: an answer, never a crash; an
// error is kBadRequest naming a byte where a '%' starts a bad escape; a
// decoded form, encoded again with every byte escaped, decodes to the same
// fields; parse_form_object agrees with decode_form. Anything else is a finding.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "reference/api/form_urlencoded.h"

namespace {

std::string escaped(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    out += {'%', kHex[byte >> 4], kHex[byte & 15]};
  }
  return out;
}

void check_error(const imagelib::Status& error, std::string_view text) {
  if (error.code() != imagelib::ErrorCode::kBadRequest) std::abort();
  const std::string& message = error.message();
  const auto at = message.find("at byte ");
  if (at == std::string::npos) std::abort();
  const std::size_t byte = std::strtoull(message.c_str() + at + 8, nullptr, 10);
  if (byte >= text.size() || text[byte] != '%') std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto fields = imagelib::api::decode_form(text);
  auto object = imagelib::api::parse_form_object(text);
  if (!fields.ok()) {
    check_error(fields.status(), text);
    if (object.ok()) std::abort();
    return 0;
  }
  std::string encoded;
  std::set<std::string> names;
  bool repeated = false;
  for (const imagelib::api::FormField& field : *fields) {
    encoded += escaped(field.name) + "=" + escaped(field.value) + "&";
    repeated |= !names.insert(field.name).second;
  }
  auto again = imagelib::api::decode_form(encoded);
  if (!again.ok() || again->size() != fields->size()) std::abort();
  for (std::size_t i = 0; i < fields->size(); ++i) {
    if ((*again)[i].name != (*fields)[i].name || (*again)[i].value != (*fields)[i].value) std::abort();
  }
  if (object.ok() == repeated) std::abort();
  return 0;
}
