// In-memory compression with the four codecs, for tests that need
// compressed streams without running the command-line tools. Tests only.
#pragma once

#include "reference/base/bytes.h"
#include "reference/formats/decompress.h"

namespace imagelib::testing {

Bytes compress_for_test(Compression compression, ByteView data);

}  // namespace imagelib::testing
