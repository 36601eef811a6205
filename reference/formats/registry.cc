#include "reference/formats/registry.h"

#include <array>

#include "reference/formats/qcow2.h"

namespace imagelib {

std::span<const ContainerFormat* const> container_formats() {
  static const std::array<const ContainerFormat*, 1> kFormats = {&qcow2_format()};
  return kFormats;
}

}  // namespace imagelib
