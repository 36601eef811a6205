// The VirtualBox VDI reader (dynamic and static images), following the
// ContainerFormat contract of container.h. The probe's registry calls
// vdi_format(); what it reads and refuses is described in vdi.md.
#pragma once

#include "reference/formats/container.h"

namespace imagelib {

const ContainerFormat& vdi_format();

}  // namespace imagelib
