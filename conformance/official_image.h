// Makes an official image straight in a Library, as an operator would: the
// "setup" step of scenarios on the targets that hold the library in process.
#pragma once

#include <string>

#include "conformance/target.h"
#include "reference/library/library.h"

namespace imagelib::conformance {

Result<std::string> add_official_image_to(Library& library, const OfficialImageCall& call,
                                          Timestamp at);

}  // namespace imagelib::conformance
