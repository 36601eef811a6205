#include "reference/formats/vmdk.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "reference/formats/stored_blocks.h"
#include "reference/formats/vmdk_descriptor.h"

namespace imagelib {
namespace {

constexpr std::string_view kFormat = "vmdk";
constexpr std::uint64_t kSector = 512;

// SparseExtentHeader (512 bytes, little-endian apart from the magic).
constexpr std::string_view kSparseMagic = "KDMV";     // offset 0
constexpr std::string_view kCowdMagic = "COWD";       // VMDK3 / vmfsSparse
constexpr std::size_t kVersionOffset = 4;             // u32
constexpr std::size_t kFlagsOffset = 8;               // u32
constexpr std::size_t kCapacityOffset = 12;           // u64 sectors
constexpr std::size_t kGrainSizeOffset = 20;          // u64 sectors
constexpr std::size_t kDescriptorOffsetOffset = 28;   // u64 sectors
constexpr std::size_t kDescriptorSizeOffset = 36;     // u64 sectors
constexpr std::size_t kGtesPerGtOffset = 44;          // u32
constexpr std::size_t kGdOffsetOffset = 56;           // u64 sectors
constexpr std::size_t kGrainOffsetOffset = 64;        // u64 sectors (overHead)
constexpr std::size_t kCompressAlgorithmOffset = 77;  // u16
constexpr std::uint32_t kFlagZeroedGrainGte = 1u << 2;
constexpr std::uint32_t kFlagMarkers = 1u << 17;
constexpr std::uint16_t kCompressNone = 0;
constexpr std::uint16_t kCompressDeflate = 1;
constexpr std::uint64_t kGdAtEnd = ~std::uint64_t{0};

// qemu's limits: 512 entries per grain table, grains of at most 1 GiB, at
// most 32 Mi grain directory entries; descriptors are read up to 1 MiB.
constexpr std::uint32_t kMaxGtesPerGt = 512;
constexpr std::uint64_t kMaxGrainSectors = 0x200000;
constexpr std::uint64_t kMaxGdEntries = 32 * 1024 * 1024;
constexpr std::uint64_t kMaxDescriptorBytes = 1024 * 1024;

// streamOptimized: a footer (marker, header copy, end-of-stream marker) in
// the last three sectors when the header's gdOffset is GD_AT_END.
constexpr std::uint64_t kFooterBytes = 3 * kSector;
constexpr std::size_t kMarkerSizeOffset = 8;   // u32, 0 for metadata markers
constexpr std::size_t kMarkerTypeOffset = 12;  // u32
constexpr std::uint32_t kMarkerEndOfStream = 0;
constexpr std::uint32_t kMarkerFooter = 3;
constexpr std::uint64_t kGrainMarkerBytes = 12;  // u64 lba, u32 size, then the data

constexpr std::uint32_t kZeroedGrainGte = 1;

std::string number(std::uint64_t value) { return std::to_string(value); }

bool starts_with(ByteView bytes, std::string_view prefix) {
  return bytes.size() >= prefix.size() &&
         std::memcmp(bytes.data(), prefix.data(), prefix.size()) == 0;
}

// qemu's probe of a text descriptor file: after comments and blank lines,
// the first line is version=1, 2 or 3.
bool is_descriptor_text(ByteView head) {
  std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) return false;
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.front() == '#') continue;
    if (line.find_first_not_of(' ') == std::string_view::npos) continue;
    return line == "version=1" || line == "version=2" || line == "version=3";
  }
  return false;
}

bool matches_vmdk(const RandomAccessSource& in) {
  Bytes head(std::min<std::uint64_t>(kSector, in.size()));
  if (!in.read_at(0, head).ok()) return false;
  return starts_with(head, kSparseMagic) || starts_with(head, kCowdMagic) ||
         is_descriptor_text(head);
}

struct Geometry {
  std::uint64_t capacity_sectors;
  std::uint64_t grain_sectors;
  std::uint32_t gtes_per_gt;
  std::uint64_t gd_sector;
  std::uint64_t gd_entries;
  bool compressed;
  bool zeroed_grain_gte;
};

// The header that describes the grains: the one at offset 0, or the
// footer's copy when that one defers to the footer (GD_AT_END).
Result<Bytes> effective_header(const RandomAccessSource& in, Bytes header) {
  if (load_le64(header, kGdOffsetOffset) != kGdAtEnd) return header;
  if (in.size() < kSector + kFooterBytes)
    return bad_image(kFormat, "the file is too short for a footer");
  auto footer = read_bytes(in, in.size() - kFooterBytes, kFooterBytes, kFormat, "footer");
  if (!footer.ok()) return footer.status();
  const ByteView marker = ByteView(*footer).first(kSector);
  const ByteView copy = ByteView(*footer).subspan(kSector, kSector);
  const ByteView end = ByteView(*footer).subspan(2 * kSector, kSector);
  if (load_le32(marker, kMarkerSizeOffset) != 0 ||
      load_le32(marker, kMarkerTypeOffset) != kMarkerFooter || !starts_with(copy, kSparseMagic) ||
      load_le64(end, 0) != 0 || load_le32(end, kMarkerSizeOffset) != 0 ||
      load_le32(end, kMarkerTypeOffset) != kMarkerEndOfStream) {
    return bad_image(kFormat,
                     "the header defers to a footer, and the file does not end with "
                     "footer and end-of-stream markers");
  }
  if (load_le64(copy, kGdOffsetOffset) == kGdAtEnd) {
    return bad_image(kFormat, "the footer's grain directory offset points at the footer again");
  }
  return Bytes(copy.begin(), copy.end());
}

Result<Geometry> parse_geometry(ByteView h, const DecodeLimits& limits) {
  const std::uint32_t version = load_le32(h, kVersionOffset);
  if (version < 1 || version > 3)
    return bad_image(kFormat, "unsupported version " + number(version));
  const std::uint16_t algorithm = load_le16(h, kCompressAlgorithmOffset);
  if (algorithm != kCompressNone && algorithm != kCompressDeflate) {
    return bad_image(kFormat, "unknown compression algorithm " + number(algorithm));
  }
  const std::uint32_t flags = load_le32(h, kFlagsOffset);
  Geometry g{};
  g.compressed = algorithm == kCompressDeflate;
  g.zeroed_grain_gte = (flags & kFlagZeroedGrainGte) != 0;
  if (g.compressed && (flags & kFlagMarkers) == 0) {
    return bad_image(kFormat, "compressed grains without grain markers are not supported");
  }
  g.capacity_sectors = load_le64(h, kCapacityOffset);
  if (g.capacity_sectors > limits.max_virtual_size / kSector) {
    return bad_image(kFormat, "virtual size of " + number(g.capacity_sectors) +
                                  " sectors is above the limit of " +
                                  number(limits.max_virtual_size) + " bytes");
  }
  g.grain_sectors = load_le64(h, kGrainSizeOffset);
  if (g.grain_sectors == 0 || g.grain_sectors > kMaxGrainSectors) {
    return bad_image(kFormat,
                     "grain of " + number(g.grain_sectors) + " sectors is empty or above 1 GiB");
  }
  g.gtes_per_gt = load_le32(h, kGtesPerGtOffset);
  if (g.gtes_per_gt == 0 || g.gtes_per_gt > kMaxGtesPerGt) {
    return bad_image(kFormat,
                     "grain tables of " + number(g.gtes_per_gt) + " entries (1 to 512 allowed)");
  }
  const std::uint64_t sectors_per_gt = g.grain_sectors * g.gtes_per_gt;
  g.gd_entries = (g.capacity_sectors + sectors_per_gt - 1) / sectors_per_gt;
  if (g.gd_entries > kMaxGdEntries) {
    return bad_image(kFormat,
                     "grain directory of " + number(g.gd_entries) + " entries is too large");
  }
  g.gd_sector = load_le64(h, kGdOffsetOffset);
  return g;
}

Status check_descriptor(const RandomAccessSource& in, ByteView header, const Geometry& g) {
  const std::uint64_t sector = load_le64(header, kDescriptorOffsetOffset);
  const std::uint64_t sectors = load_le64(header, kDescriptorSizeOffset);
  if (sector == 0 || sectors == 0) return bad_image(kFormat, "no embedded descriptor");
  if (sector > in.size() / kSector)
    return bad_image(kFormat, "the descriptor lies outside the file");
  const std::uint64_t length = std::min(sectors, kMaxDescriptorBytes / kSector) * kSector;
  auto text = read_bytes(in, sector * kSector, length, kFormat, "descriptor");
  if (!text.ok()) return text.status();
  auto descriptor = parse_vmdk_descriptor(
      std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
  if (!descriptor.ok()) return descriptor.status();
  if (descriptor->extent_sectors != g.capacity_sectors) {
    return bad_image(kFormat, "the descriptor's extent of " + number(descriptor->extent_sectors) +
                                  " sectors differs from the header's capacity of " +
                                  number(g.capacity_sectors));
  }
  if (descriptor->stream_optimized != g.compressed) {
    return bad_image(kFormat, "createType and the header's compression disagree");
  }
  return {};
}

// Walks the grain directory and tables; calls visit(gd_index, table) for
// each allocated grain table (table is empty for an unallocated one).
template <typename Visit>
Status for_each_grain_table(const RandomAccessSource& in, const Geometry& g, ByteView directory,
                            Visit&& visit) {
  const std::uint64_t table_bytes = 4 * std::uint64_t{g.gtes_per_gt};
  for (std::uint64_t i = 0; i < g.gd_entries; ++i) {
    const std::uint32_t table_sector = load_le32(directory, 4 * i);
    if (table_sector == 0) {
      IMAGELIB_RETURN_IF_ERROR(visit(i, ByteView{}));
      continue;
    }
    auto table = read_bytes(in, std::uint64_t{table_sector} * kSector, table_bytes, kFormat,
                            "grain table " + number(i));
    if (!table.ok()) return table.status();
    IMAGELIB_RETURN_IF_ERROR(visit(i, ByteView(*table)));
  }
  return {};
}

Result<std::uint64_t> decode_vmdk(const RandomAccessSource& in, UnitSink& out,
                                  const DecodeLimits& limits) {
  auto first = read_bytes(in, 0, std::min(kSector, in.size()), kFormat, "header");
  if (!first.ok()) return first.status();
  if (starts_with(*first, kCowdMagic)) {
    return bad_image(kFormat, "VMDK3 (COWD) sparse extents are not supported");
  }
  if (!starts_with(*first, kSparseMagic)) {
    return bad_image(kFormat,
                     is_descriptor_text(*first)
                         ? "a text descriptor file: the disk's data lives in the files it names"
                         : "no KDMV header");
  }
  if (first->size() < kSector) return bad_image(kFormat, "the file is shorter than a header");
  if (load_le64(*first, kCapacityOffset) == 0) {
    return bad_image(kFormat,
                     "capacity 0: the header defers to its descriptor, which names other "
                     "files");
  }
  auto header = effective_header(in, *first);
  if (!header.ok()) return header.status();
  auto geometry = parse_geometry(*header, limits);
  if (!geometry.ok()) return geometry.status();
  const Geometry& g = *geometry;
  IMAGELIB_RETURN_IF_ERROR(check_descriptor(in, *first, g));
  if (load_le64(*header, kGrainOffsetOffset) > in.size() / kSector) {
    return bad_image(kFormat, "the file is shorter than its metadata (overHead)");
  }
  const std::uint64_t virtual_size = g.capacity_sectors * kSector;
  const std::uint64_t grain_bytes = g.grain_sectors * kSector;
  if (g.gd_sector > in.size() / kSector) {
    return bad_image(kFormat, "the grain directory lies outside the file");
  }
  auto directory =
      read_bytes(in, g.gd_sector * kSector, 4 * g.gd_entries, kFormat, "grain directory");
  if (!directory.ok()) return directory.status();

  // The guest offset of grain `j` of table `i`, or virtual_size past the disk.
  const auto grain_guest = [&](std::uint64_t i, std::uint64_t j) {
    return std::min(virtual_size, (i * g.gtes_per_gt + j) * grain_bytes);
  };
  const auto is_data = [&](std::uint32_t gte) {
    return gte != 0 && !(g.zeroed_grain_gte && gte == kZeroedGrainGte);
  };

  // First pass: every table and every grain used once, so that the data
  // emitted never exceeds what the file stores.
  std::vector<std::uint64_t> tables;
  for (std::uint64_t i = 0; i < g.gd_entries; ++i) {
    if (const std::uint32_t s = load_le32(*directory, 4 * i); s != 0) tables.push_back(s * kSector);
  }
  IMAGELIB_RETURN_IF_ERROR(
      check_blocks_disjoint(tables, 4 * std::uint64_t{g.gtes_per_gt}, kFormat, "grain tables"));
  std::vector<std::uint64_t> grains;
  const std::uint64_t most_grains = in.size() / (g.compressed ? kSector : grain_bytes) + 1;
  const auto collect_grains = [&](std::uint64_t i, ByteView table) {
    for (std::uint64_t j = 0; j < table.size() / 4 && grain_guest(i, j) < virtual_size; ++j) {
      const std::uint32_t gte = load_le32(table, 4 * j);
      if (!is_data(gte)) continue;
      if (grains.size() == most_grains) {
        return bad_image(kFormat, "more grains than the file can hold");
      }
      grains.push_back(gte * kSector);
    }
    return Status{};
  };
  IMAGELIB_RETURN_IF_ERROR(for_each_grain_table(in, g, *directory, collect_grains));
  IMAGELIB_RETURN_IF_ERROR(
      check_blocks_disjoint(grains, g.compressed ? kSector : grain_bytes, kFormat, "grains"));

  // Second pass: emit, joining grains that are contiguous in both the disk
  // and the file into one large copy, and neighbouring zero grains into one
  // zero extent.
  struct Run {
    bool zero = false;
    std::uint64_t guest = 0, host = 0, length = 0;
  } run;
  const auto flush = [&]() -> Status {
    if (run.length == 0) return {};
    const Run done = run;
    run = Run{};
    if (done.zero) return out.write_zero(done.guest, done.length);
    return copy_stored_bytes(in, done.host, done.guest, done.length, out, kFormat, "grain");
  };
  const auto emit_compressed = [&](std::uint64_t host, std::uint64_t guest, std::uint64_t length,
                                   std::uint64_t index) -> Status {
    // The grain may not run into the next stored grain.
    const auto next = std::upper_bound(grains.begin(), grains.end(), host);
    const std::uint64_t limit = next == grains.end() ? in.size() : std::min(*next, in.size());
    auto marker = read_bytes(in, host, kGrainMarkerBytes, kFormat, "grain marker");
    if (!marker.ok()) return marker.status();
    const std::uint64_t size = load_le32(*marker, 8);
    if (size == 0 || size > 2 * grain_bytes || host + kGrainMarkerBytes + size > limit) {
      return bad_image(kFormat, "compressed grain " + number(index) + " of " + number(size) +
                                    " bytes is empty, too large or runs past its space");
    }
    CompressedUnit unit{UnitCodec::kVmdkGrain, guest, length, grain_bytes, index, Bytes(size)};
    IMAGELIB_RETURN_IF_ERROR(in.read_at(host + kGrainMarkerBytes, unit.compressed));
    return out.write_unit(std::move(unit));
  };
  const auto emit_table = [&](std::uint64_t i, ByteView table) {
    // An unallocated table is one zero range, not one step per grain: with
    // one-sector grains that would be 2^32 steps for a small file.
    const std::uint64_t steps = table.empty() ? 1 : g.gtes_per_gt;
    const std::uint64_t step_bytes = table.empty() ? g.gtes_per_gt * grain_bytes : grain_bytes;
    for (std::uint64_t j = 0; j < steps && grain_guest(i, j) < virtual_size; ++j) {
      const std::uint64_t guest = grain_guest(i, j);
      const std::uint64_t length = bytes_in_disk(guest, step_bytes, virtual_size);
      const std::uint32_t gte = table.empty() ? 0 : load_le32(table, 4 * j);
      const std::uint64_t host = std::uint64_t{gte} * kSector;
      const bool zero = !is_data(gte);
      const bool extends_run = run.length > 0 && run.zero == zero &&
                               (zero || (!g.compressed && run.host + run.length == host));
      if (extends_run) {
        run.length += length;
        continue;
      }
      IMAGELIB_RETURN_IF_ERROR(flush());
      if (!zero && g.compressed) {
        IMAGELIB_RETURN_IF_ERROR(emit_compressed(host, guest, length, i * g.gtes_per_gt + j));
      } else {
        run = Run{zero, guest, host, length};
      }
    }
    return Status{};
  };
  IMAGELIB_RETURN_IF_ERROR(for_each_grain_table(in, g, *directory, emit_table));
  IMAGELIB_RETURN_IF_ERROR(flush());
  return virtual_size;
}

}  // namespace

const ContainerFormat& vmdk_format() {
  static const ContainerFormat format{kFormat, matches_vmdk, decode_vmdk};
  return format;
}

}  // namespace imagelib
