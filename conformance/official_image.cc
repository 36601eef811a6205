#include "conformance/official_image.h"

namespace imagelib::conformance {

Result<std::string> add_official_image_to(Library& library, const OfficialImageCall& call,
                                          Timestamp at) {
  const auto arch = parse_arch(call.arch);
  if (!arch) return Status(ErrorCode::kUnprocessable, "unknown arch " + call.arch);
  auto image = library.add_official_image({.name = call.name,
                                           .arch = *arch,
                                           .min_ram = call.min_ram,
                                           .compatibility_mode = call.compatibility_mode,
                                           .content = call.content},
                                          at);
  if (!image.ok()) return image.status();
  return image->id;
}

}  // namespace imagelib::conformance
