#include "reference/formats/registry.h"

#include <array>

#include "reference/formats/qcow2.h"
#include "reference/formats/vdi.h"
#include "reference/formats/vhd.h"
#include "reference/formats/vhdx.h"
#include "reference/formats/vmdk.h"

namespace imagelib {

std::span<const ContainerFormat* const> container_formats() {
  static const std::array<const ContainerFormat*, 5> kFormats = {
      &qcow2_format(), &vmdk_format(), &vdi_format(), &vpc_format(), &vhdx_format()};
  return kFormats;
}

}  // namespace imagelib
