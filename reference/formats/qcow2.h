// The qcow2 reader (versions 2 and 3): walks the active L1 and L2 tables and
// emits the virtual disk as data and zero extents, decompressing deflate and
// zstd clusters and honouring zero clusters and extended L2 subclusters.
// Refuses what qcow2_header.h lists, plus unaligned or out-of-file L2 tables
// and data clusters, and host clusters used twice by the active tables. The
// format's page is qcow2.md.
#pragma once

#include "reference/formats/container.h"

namespace imagelib {

const ContainerFormat& qcow2_format();

}  // namespace imagelib
