// The VMDK reader: hosted sparse extents (createType monolithicSparse) and
// streamOptimized ones (deflate-compressed grains with markers, the grain
// directory in the header or in a footer), following the ContainerFormat
// contract of container.h. Only a file that holds its whole disk is read:
// descriptors naming other files are refused (vmdk_descriptor.h). The
// probe's registry calls vmdk_format(); see vmdk.md.
#pragma once

#include "reference/formats/container.h"

namespace imagelib {

const ContainerFormat& vmdk_format();

}  // namespace imagelib
