#include "reference/formats/probe.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "reference/formats/registry.h"

namespace imagelib {
namespace {

constexpr std::uint64_t kProbeBytes = 512;  // qemu's BLOCK_PROBE_BUF_SIZE

constexpr std::uint32_t kQcowMagic = 0x514649fb;  // offset 0, big-endian "QFI\xfb"
constexpr std::uint32_t kQcowVersionOne = 1;      // offset 4
constexpr std::uint32_t kDmgKolyMagic = 0x6b6f6c79;  // "koly", 512 bytes before the end

bool has_prefix(ByteView data, std::string_view prefix) {
  return data.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), data.begin(),
                    [](char c, std::uint8_t b) { return static_cast<std::uint8_t>(c) == b; });
}

// A format the service does not accept, recognised so that it is refused by
// name instead of being taken for a raw disk.
struct OutOfScopeFormat {
  std::string_view name;
  bool (*matches)(ByteView head, ByteView tail);
};

const OutOfScopeFormat kOutOfScope[] = {
    {"qcow (version 1)",
     [](ByteView head, ByteView) {
       return head.size() >= 8 && load_be32(head, 0) == kQcowMagic &&
              load_be32(head, 4) == kQcowVersionOne;
     }},
    {"QED", [](ByteView head, ByteView) { return has_prefix(head, std::string_view("QED\0", 4)); }},
    {"bochs", [](ByteView head, ByteView) { return has_prefix(head, "Bochs Virtual HD Image"); }},
    {"cloop",
     [](ByteView head, ByteView) {
       return has_prefix(head, "#!/bin/sh\n#V2.0 Format\nmodprobe cloop");
     }},
    {"dmg",
     [](ByteView, ByteView tail) {
       return tail.size() == kProbeBytes && load_be32(tail, 0) == kDmgKolyMagic;
     }},
    {"parallels",
     [](ByteView head, ByteView) {
       return has_prefix(head, "WithoutFreeSpace") || has_prefix(head, "WithouFreSpacExt");
     }},
    {"LUKS", [](ByteView head, ByteView) { return has_prefix(head, "LUKS\xba\xbe"); }},
};

}  // namespace

std::string ProbedFormat::name() const {
  if (container != nullptr) return std::string(container->name);
  if (compression) return std::string(compression_name(*compression));
  return "raw";
}

Result<ProbedFormat> probe_format(const RandomAccessSource& in) {
  if (in.size() == 0) return Status(ErrorCode::kBadImage, "the file is empty");
  Bytes head(std::min(kProbeBytes, in.size()));
  IMAGELIB_RETURN_IF_ERROR(in.read_at(0, head));
  Bytes tail;
  if (in.size() >= kProbeBytes) {
    tail.resize(kProbeBytes);
    IMAGELIB_RETURN_IF_ERROR(in.read_at(in.size() - kProbeBytes, tail));
  }

  std::vector<std::string> matched;
  ProbedFormat probed;
  for (const ContainerFormat* format : container_formats()) {
    if (format->matches(in)) {
      probed.container = format;
      matched.emplace_back(format->name);
    }
  }
  if (auto compression = detect_compression(head)) {
    probed.compression = compression;
    matched.emplace_back(compression_name(*compression));
  }
  std::string out_of_scope;
  for (const OutOfScopeFormat& format : kOutOfScope) {
    if (format.matches(head, tail)) {
      out_of_scope = format.name;
      matched.emplace_back(format.name);
    }
  }

  if (matched.size() > 1) {
    std::string names = matched[0];
    for (std::size_t i = 1; i < matched.size(); ++i) names += (i + 1 == matched.size() ? " and " : ", ") + matched[i];
    return Status(ErrorCode::kBadImage,
                  "the content matches the signatures of " + names + ": refusing to guess");
  }
  if (!out_of_scope.empty()) {
    return Status(ErrorCode::kBadImage, out_of_scope + " images are not supported");
  }
  return probed;
}

}  // namespace imagelib
