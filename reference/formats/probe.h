// The probe: names an upload's format from its content, never from its name.
// Every known signature is tested (the accepted container formats, the
// compression wrappers, and the formats out of scope); exactly one match
// names the format, none means raw, two or more are refused as ambiguous, and
// an out-of-scope format is refused by name. Pure; used by decode.cc and the
// tools.
#pragma once

#include <optional>
#include <string>

#include "reference/formats/container.h"
#include "reference/formats/decompress.h"

namespace imagelib {

struct ProbedFormat {
  // Exactly one of these is set, or neither for raw.
  const ContainerFormat* container = nullptr;
  std::optional<Compression> compression;

  std::string name() const;  // "qcow2", "gzip", "raw", ...
};

// Probes `in`. kBadImage for an empty file, an out-of-scope format ("QED
// images are not supported") or content matching more than one signature.
Result<ProbedFormat> probe_format(const RandomAccessSource& in);

}  // namespace imagelib
