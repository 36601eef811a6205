#include "reference/formats/registry.h"

#include <array>

#include "reference/formats/qcow2.h"
#include "reference/formats/vdi.h"

namespace imagelib {

std::span<const ContainerFormat* const> container_formats() {
  static const std::array<const ContainerFormat*, 2> kFormats = {&qcow2_format(), &vdi_format()};
  return kFormats;
}

}  // namespace imagelib
