// The VHD reader (qemu calls the format "vpc"): fixed disks (a footer at the
// end) and dynamic disks (a footer copy at offset 0, a dynamic disk header
// and a block allocation table), following the ContainerFormat contract of
// container.h. The probe's registry calls vpc_format(); what it reads and
// refuses is described in vhd.md.
#pragma once

#include "reference/formats/container.h"

namespace imagelib {

const ContainerFormat& vpc_format();

}  // namespace imagelib
