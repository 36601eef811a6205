// The container formats the service accepts, in a fixed order (the probe's
// and the documentation's). Callable from anywhere in reference/.
#pragma once

#include <span>

#include "reference/formats/container.h"

namespace imagelib {

std::span<const ContainerFormat* const> container_formats();

}  // namespace imagelib
