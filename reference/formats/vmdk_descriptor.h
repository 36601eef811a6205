// Checks the text descriptor embedded in a hosted sparse VMDK and keeps the
// one fact the reader needs from it. A descriptor may name other files
// (flat, split or VMFS extents, a parent disk); those are refused, so a
// VMDK is only ever read from the uploaded file itself. Pure; called by
// vmdk.cc and its tests.
#pragma once

#include <cstdint>
#include <string_view>

#include "reference/base/status.h"

namespace imagelib {

struct VmdkDescriptor {
  bool stream_optimized;         // createType streamOptimized (else monolithicSparse)
  std::uint64_t extent_sectors;  // the size of its single SPARSE extent
};

// Parses descriptor text (it ends at the first NUL). Accepts only
// createType monolithicSparse or streamOptimized, exactly one RW or RDONLY
// SPARSE extent whose file name is a bare name (the file itself), no
// parentFileNameHint and parentCID ffffffff. kBadImage "vmdk: <reason>"
// otherwise.
Result<VmdkDescriptor> parse_vmdk_descriptor(std::string_view text);

}  // namespace imagelib
