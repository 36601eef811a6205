// The VHDX reader (fixed and dynamic disks): headers chosen by sequence
// number with CRC-32C checks, the region table, the metadata items and the
// block allocation table, following the ContainerFormat contract of
// container.h. The probe's registry calls vhdx_format(); what it reads and
// refuses is described in vhdx.md.
#pragma once

#include "reference/formats/container.h"

namespace imagelib {

const ContainerFormat& vhdx_format();

}  // namespace imagelib
