// Content of uploads named in scenario files: generated deterministically
// from a seed, read from a file beside the scenario, and optionally turned
// into another image format by qemu-img and compressed by the usual tools.
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "reference/base/bytes.h"
#include "reference/base/status.h"

namespace imagelib::conformance {

// A disk of `size` bytes from `seed`: runs of pseudo-random bytes, text and
// zeros, the same on every machine.
Bytes generate_disk(std::uint64_t size, std::uint64_t seed);

// `spec` follows the schema's "content" definition; `scenario_dir` anchors
// relative file paths.
Result<Bytes> make_content(const nlohmann::json& spec, const std::filesystem::path& scenario_dir);

}  // namespace imagelib::conformance
