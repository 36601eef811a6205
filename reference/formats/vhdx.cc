#include "reference/formats/vhdx.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "reference/base/crc32c.h"
#include "reference/formats/stored_blocks.h"

namespace imagelib {
namespace {

constexpr std::string_view kFormat = "vhdx";
constexpr std::uint64_t kMiBytes = 1024 * 1024;

// File identifier at offset 0.
constexpr std::string_view kFileSignature = "vhdxfile";

// Headers: two 4 KiB copies, little-endian, CRC-32C over the 4 KiB.
constexpr std::uint64_t kHeaderOffsets[2] = {64 * 1024, 128 * 1024};
constexpr std::uint64_t kHeaderBytes = 4096;
constexpr std::uint32_t kHeaderSignature = 0x64616568;  // "head", offset 0
constexpr std::size_t kChecksumOffset = 4;              // u32, headers and region table
constexpr std::size_t kSequenceOffset = 8;              // u64
constexpr std::size_t kLogGuidOffset = 48;              // 16 bytes
constexpr std::size_t kLogVersionOffset = 64;           // u16
constexpr std::size_t kVersionOffset = 66;              // u16
constexpr std::size_t kLogLengthOffset = 68;            // u32
constexpr std::size_t kLogOffsetOffset = 72;            // u64
constexpr std::size_t kHeaderFieldsBytes = 80;          // the fields above, compared for ties

// Region table: 64 KiB at 192 KiB, CRC-32C over the 64 KiB.
constexpr std::uint64_t kRegionTableOffset = 192 * 1024;
constexpr std::uint64_t kRegionTableBytes = 64 * 1024;
constexpr std::uint32_t kRegionSignature = 0x69676572;  // "regi", offset 0
constexpr std::size_t kRegionCountOffset = 8;           // u32
constexpr std::size_t kRegionEntriesOffset = 16;
constexpr std::size_t kRegionEntryBytes = 32;  // guid, u64 offset, u32 length, u32 flags
constexpr std::uint32_t kMaxRegions = 2047;
constexpr std::uint32_t kRequired = 1;  // region flag bit 0

// Metadata table at the start of the metadata region.
constexpr std::string_view kMetadataSignature = "metadata";
constexpr std::size_t kMetadataCountOffset = 10;  // u16
constexpr std::size_t kMetadataEntriesOffset = 32;
// Metadata entries: guid, u32 offset, u32 length, u32 flags, reserved.
constexpr std::size_t kMetadataEntryBytes = 32;
constexpr std::uint64_t kMetadataTableBytes = 64 * 1024;
constexpr std::uint32_t kMaxMetadataEntries = 2047;
constexpr std::uint32_t kMetadataRequired = 4;  // metadata flag bit 2
constexpr std::uint32_t kHasParent = 2;         // file parameters flag bit 1

// BAT entries: state in bits 0-2, file offset in MiB in bits 20-63.
constexpr std::uint64_t kStateMask = 7;
constexpr std::uint64_t kOffsetMask = ~((std::uint64_t{1} << 20) - 1);
constexpr std::uint64_t kFullyPresent = 6;
constexpr std::uint64_t kPartiallyPresent = 7;
constexpr std::uint64_t kMaxSectorsPerBlockTimesSector = std::uint64_t{1} << 23;  // chunk ratio

using Guid = std::array<std::uint8_t, 16>;

// A GUID as VHDX stores it: data1-3 little-endian, data4 as bytes.
constexpr Guid ms_guid(std::uint32_t d1, std::uint16_t d2, std::uint16_t d3,
                       std::array<std::uint8_t, 8> d4) {
  Guid guid{};
  for (std::size_t i = 0; i < 4; ++i) guid[i] = static_cast<std::uint8_t>(d1 >> (8 * i));
  for (std::size_t i = 0; i < 2; ++i) {
    guid[4 + i] = static_cast<std::uint8_t>(d2 >> (8 * i));
    guid[6 + i] = static_cast<std::uint8_t>(d3 >> (8 * i));
  }
  for (std::size_t i = 0; i < 8; ++i) guid[8 + i] = d4[i];
  return guid;
}

constexpr Guid kBatRegion =
    ms_guid(0x2dc27766, 0xf623, 0x4200, {0x9d, 0x64, 0x11, 0x5e, 0x9b, 0xfd, 0x4a, 0x08});
constexpr Guid kMetadataRegion =
    ms_guid(0x8b7ca206, 0x4790, 0x4b9a, {0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e});
constexpr Guid kFileParameters =
    ms_guid(0xcaa16737, 0xfa36, 0x4d43, {0xb3, 0xb6, 0x33, 0xf0, 0xaa, 0x44, 0xe7, 0x6b});
constexpr Guid kVirtualDiskSize =
    ms_guid(0x2fa54224, 0xcd1b, 0x4876, {0xb2, 0x11, 0x5d, 0xbe, 0xd8, 0x3b, 0xf4, 0xb8});
constexpr Guid kPage83Data =
    ms_guid(0xbeca12ab, 0xb2e6, 0x4523, {0x93, 0xef, 0xc3, 0x09, 0xe0, 0x00, 0xc7, 0x46});
constexpr Guid kLogicalSectorSize =
    ms_guid(0x8141bf1d, 0xa96f, 0x4709, {0xba, 0x47, 0xf2, 0x33, 0xa8, 0xfa, 0xab, 0x5f});
constexpr Guid kPhysicalSectorSize =
    ms_guid(0xcda348c7, 0x445d, 0x4471, {0x9c, 0xc9, 0xe9, 0x88, 0x52, 0x51, 0xc5, 0x56});
constexpr Guid kParentLocator =
    ms_guid(0xa8d35f2d, 0xb30b, 0x454d, {0xab, 0xf7, 0xd3, 0xd8, 0x48, 0x34, 0xab, 0x0c});

std::string number(std::uint64_t value) { return std::to_string(value); }

bool guid_at(ByteView bytes, std::size_t offset, const Guid& guid) {
  return std::memcmp(bytes.data() + offset, guid.data(), guid.size()) == 0;
}

// The CRC-32C of `bytes` with the 4-byte field at `checksum_offset` taken
// as zero, as VHDX defines its checksums.
std::uint32_t crc32c_without_field(ByteView bytes, std::size_t checksum_offset) {
  constexpr std::array<std::uint8_t, 4> kZeros{};
  std::uint32_t crc = crc32c(bytes.first(checksum_offset));
  crc = crc32c_extend(crc, kZeros);
  return crc32c_extend(crc, bytes.subspan(checksum_offset + kZeros.size()));
}

bool checksum_ok(ByteView bytes) {
  if (bytes.size() < kChecksumOffset + 4) return false;
  return crc32c_without_field(bytes, kChecksumOffset) == load_le32(bytes, kChecksumOffset);
}

bool matches_vhdx(const RandomAccessSource& in) {
  Bytes head(kFileSignature.size());
  return in.size() >= head.size() && in.read_at(0, head).ok() &&
         std::memcmp(head.data(), kFileSignature.data(), head.size()) == 0;
}

struct FileRange {
  std::uint64_t offset;
  std::uint64_t length;
  bool overlaps(const FileRange& other) const {
    return offset < other.offset + other.length && other.offset < offset + length;
  }
};

// The current header: the valid one (CRC, signature, version 1) with the
// higher sequence number, as qemu chooses.
Result<Bytes> read_current_header(const RandomAccessSource& in) {
  std::optional<Bytes> valid[2];
  for (int i = 0; i < 2; ++i) {
    auto header = read_bytes(in, kHeaderOffsets[i], kHeaderBytes, kFormat, "header");
    if (!header.ok()) return header.status();
    if (checksum_ok(*header) && load_le32(*header, 0) == kHeaderSignature &&
        load_le16(*header, kVersionOffset) == 1) {
      valid[i] = std::move(*header);
    }
  }
  if (!valid[0] && !valid[1])
    return bad_image(kFormat, "no valid header (checksum, signature or version)");
  if (!valid[0]) return std::move(*valid[1]);
  if (!valid[1]) return std::move(*valid[0]);
  const std::uint64_t first = load_le64(*valid[0], kSequenceOffset);
  const std::uint64_t second = load_le64(*valid[1], kSequenceOffset);
  if (first == second && std::memcmp(valid[0]->data(), valid[1]->data(), kHeaderFieldsBytes) != 0) {
    return bad_image(kFormat, "two different headers share sequence number " + number(first));
  }
  return std::move(first >= second ? *valid[0] : *valid[1]);
}

// The log region, refused when it may hold entries to replay.
Result<FileRange> check_log(ByteView header, std::uint64_t file_size) {
  const FileRange log{load_le64(header, kLogOffsetOffset), load_le32(header, kLogLengthOffset)};
  if (load_le16(header, kLogVersionOffset) != 0) {
    return bad_image(kFormat,
                     "log version " + number(load_le16(header, kLogVersionOffset)) + " is not 0");
  }
  if (log.offset < kMiBytes || log.offset % kMiBytes != 0 || log.length % kMiBytes != 0 ||
      !fits_in(log.offset, log.length, file_size)) {
    return bad_image(kFormat, "the log region (offset " + number(log.offset) + ", " +
                                  number(log.length) +
                                  " bytes) is not MiB-aligned or lies outside the file");
  }
  if (!is_all_zero(header.subspan(kLogGuidOffset, 16)) && log.length != 0) {
    return bad_image(kFormat,
                     "the log GUID is set: the log may hold writes that need replaying "
                     "(open the image once in Hyper-V or qemu to replay it)");
  }
  return log;
}

struct Regions {
  FileRange bat;
  FileRange metadata;
};

Result<Regions> read_region_table(const RandomAccessSource& in, const FileRange& log) {
  auto table = read_bytes(in, kRegionTableOffset, kRegionTableBytes, kFormat, "region table");
  if (!table.ok()) return table.status();
  if (load_le32(*table, 0) != kRegionSignature)
    return bad_image(kFormat, "bad region table signature");
  if (!checksum_ok(*table)) return bad_image(kFormat, "the region table checksum is wrong");
  const std::uint32_t count = load_le32(*table, kRegionCountOffset);
  if (count > kMaxRegions)
    return bad_image(kFormat, "region table of " + number(count) + " entries");
  std::optional<FileRange> bat, metadata;
  std::vector<FileRange> taken = {{0, kMiBytes}, log};
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t entry = kRegionEntriesOffset + std::size_t{i} * kRegionEntryBytes;
    const FileRange range{load_le64(*table, entry + 16), load_le32(*table, entry + 24)};
    const bool is_bat = guid_at(*table, entry, kBatRegion);
    const bool is_metadata = guid_at(*table, entry, kMetadataRegion);
    if (!is_bat && !is_metadata) {
      if (load_le32(*table, entry + 28) & kRequired) {
        return bad_image(kFormat, "region " + number(i) + " is required but unknown");
      }
      continue;
    }
    if ((is_bat && bat) || (is_metadata && metadata)) {
      return bad_image(kFormat, "the region table names a region twice");
    }
    if (range.offset % kMiBytes != 0 || !fits_in(range.offset, range.length, in.size()) ||
        std::any_of(taken.begin(), taken.end(),
                    [&](const FileRange& r) { return r.overlaps(range); })) {
      return bad_image(kFormat, std::string(is_bat ? "BAT" : "metadata") + " region at offset " +
                                    number(range.offset) +
                                    " is not MiB-aligned, lies outside the file or overlaps "
                                    "another region");
    }
    taken.push_back(range);
    (is_bat ? bat : metadata) = range;
  }
  if (!bat || !metadata)
    return bad_image(kFormat, "the region table lacks the BAT or the metadata");
  return Regions{*bat, *metadata};
}

struct Metadata {
  std::uint64_t block_size;
  std::uint64_t logical_sector_size;
  std::uint64_t virtual_size;
};

Result<Metadata> read_metadata(const RandomAccessSource& in, const FileRange& region) {
  if (region.length < kMetadataTableBytes) {
    return bad_image(kFormat, "the metadata region is smaller than its table");
  }
  auto table = read_bytes(in, region.offset, kMetadataTableBytes, kFormat, "metadata table");
  if (!table.ok()) return table.status();
  if (std::memcmp(table->data(), kMetadataSignature.data(), kMetadataSignature.size()) != 0) {
    return bad_image(kFormat, "bad metadata table signature");
  }
  const std::uint32_t count = load_le16(*table, kMetadataCountOffset);
  if (count > kMaxMetadataEntries) {
    return bad_image(kFormat, "metadata table of " + number(count) + " entries");
  }
  struct Item {
    const Guid* guid;
    const char* name;
    std::uint32_t length;
    std::optional<Bytes> value;
  };
  Item items[] = {{&kFileParameters, "file parameters", 8, {}},
                  {&kVirtualDiskSize, "virtual disk size", 8, {}},
                  {&kPage83Data, "page 83 data", 16, {}},
                  {&kLogicalSectorSize, "logical sector size", 4, {}},
                  {&kPhysicalSectorSize, "physical sector size", 4, {}}};
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t entry = kMetadataEntriesOffset + std::size_t{i} * kMetadataEntryBytes;
    if (guid_at(*table, entry, kParentLocator)) {
      return bad_image(kFormat, "a parent locator names another image (differencing disk)");
    }
    Item* item = std::find_if(std::begin(items), std::end(items),
                              [&](const Item& it) { return guid_at(*table, entry, *it.guid); });
    if (item == std::end(items)) {
      if (load_le32(*table, entry + 24) & kMetadataRequired) {
        return bad_image(kFormat, "metadata item " + number(i) + " is required but unknown");
      }
      continue;
    }
    if (item->value) return bad_image(kFormat, std::string(item->name) + " appears twice");
    const std::uint64_t offset = load_le32(*table, entry + 16);
    const std::uint64_t length = load_le32(*table, entry + 20);
    if (length < item->length || !fits_in(offset, item->length, region.length)) {
      return bad_image(kFormat, std::string(item->name) + " lies outside the metadata region");
    }
    auto value = read_bytes(in, region.offset + offset, item->length, kFormat, item->name);
    if (!value.ok()) return value.status();
    item->value = std::move(*value);
  }
  for (const Item& item : items) {
    if (!item.value) return bad_image(kFormat, std::string("the metadata lacks the ") + item.name);
  }
  const Bytes& parameters = *items[0].value;
  if (load_le32(parameters, 4) & kHasParent) {
    return bad_image(kFormat, "the file parameters say the disk has a parent (differencing disk)");
  }
  Metadata metadata{load_le32(parameters, 0), load_le32(*items[3].value, 0),
                    load_le64(*items[1].value, 0)};
  const std::uint64_t b = metadata.block_size;
  if (b < kMiBytes || b > 256 * kMiBytes || (b & (b - 1)) != 0) {
    return bad_image(kFormat,
                     "block size " + number(b) + " is not a power of two from 1 to 256 MiB");
  }
  if (metadata.logical_sector_size != 512 && metadata.logical_sector_size != 4096) {
    return bad_image(kFormat, "logical sector size " + number(metadata.logical_sector_size) +
                                  " is not 512 or 4096");
  }
  if (metadata.virtual_size % metadata.logical_sector_size != 0) {
    return bad_image(kFormat, "virtual size " + number(metadata.virtual_size) +
                                  " is not a multiple of the logical sector size");
  }
  return metadata;
}

Result<std::uint64_t> decode_vhdx(const RandomAccessSource& in, UnitSink& out,
                                  const DecodeLimits& limits) {
  if (!matches_vhdx(in)) return bad_image(kFormat, "no vhdxfile signature");
  auto header = read_current_header(in);
  if (!header.ok()) return header.status();
  auto log = check_log(*header, in.size());
  if (!log.ok()) return log.status();
  auto regions = read_region_table(in, *log);
  if (!regions.ok()) return regions.status();
  auto metadata = read_metadata(in, regions->metadata);
  if (!metadata.ok()) return metadata.status();
  const std::uint64_t virtual_size = metadata->virtual_size;
  IMAGELIB_RETURN_IF_ERROR(check_virtual_size(virtual_size, limits, kFormat));

  const std::uint64_t block_size = metadata->block_size;
  const std::uint64_t chunk_ratio =
      kMaxSectorsPerBlockTimesSector * metadata->logical_sector_size / block_size;
  const std::uint64_t blocks = (virtual_size + block_size - 1) / block_size;
  // A sector bitmap entry follows every chunk_ratio payload entries.
  const std::uint64_t entries = blocks == 0 ? 0 : blocks + (blocks - 1) / chunk_ratio;
  if (entries > regions->bat.length / 8) {
    return bad_image(kFormat, "the BAT region holds " + number(regions->bat.length / 8) +
                                  " entries; the disk needs " + number(entries));
  }
  auto bat = read_bytes(in, regions->bat.offset, 8 * entries, kFormat, "BAT");
  if (!bat.ok()) return bat.status();
  const auto payload_entry = [&](std::uint64_t block) {
    return load_le64(*bat, 8 * (block + block / chunk_ratio));
  };

  const std::vector<FileRange> metadata_ranges = {
      {0, kMiBytes}, *log, regions->bat, regions->metadata};
  std::vector<std::uint64_t> starts;
  for (std::uint64_t block = 0; block < blocks; ++block) {
    const std::uint64_t entry = payload_entry(block);
    const std::uint64_t state = entry & kStateMask;
    if (state == kPartiallyPresent) {
      return bad_image(
          kFormat, "block " + number(block) + " is partially present, which needs a parent image");
    }
    if (state == 4 || state > kPartiallyPresent) {
      return bad_image(kFormat, "block " + number(block) + " has unknown state " + number(state));
    }
    if (state != kFullyPresent) continue;
    const FileRange stored{entry & kOffsetMask,
                           bytes_in_disk(block * block_size, block_size, virtual_size)};
    if (!fits_in(stored.offset, stored.length, in.size()) ||
        std::any_of(metadata_ranges.begin(), metadata_ranges.end(),
                    [&](const FileRange& r) { return r.overlaps(stored); })) {
      return bad_image(kFormat, "block " + number(block) + " at offset " + number(stored.offset) +
                                    " lies outside the file or over its headers, log, BAT or "
                                    "metadata");
    }
    starts.push_back(stored.offset);
  }
  IMAGELIB_RETURN_IF_ERROR(check_blocks_disjoint(starts, block_size, kFormat, "blocks"));

  for (std::uint64_t block = 0; block < blocks; ++block) {
    const std::uint64_t guest = block * block_size;
    const std::uint64_t length = bytes_in_disk(guest, block_size, virtual_size);
    const std::uint64_t entry = payload_entry(block);
    // NOT_PRESENT (0), UNDEFINED (1), ZERO (2) and UNMAPPED (3, or 5 in
    // drafts of the specification) read as zeros, as in qemu.
    if ((entry & kStateMask) == kFullyPresent) {
      IMAGELIB_RETURN_IF_ERROR(copy_stored_bytes(in, entry & kOffsetMask, guest, length, out,
                                                 kFormat, "block " + number(block)));
    } else {
      IMAGELIB_RETURN_IF_ERROR(out.write_zero(guest, length));
    }
  }
  return virtual_size;
}

}  // namespace

const ContainerFormat& vhdx_format() {
  static const ContainerFormat format{kFormat, matches_vhdx, decode_vhdx};
  return format;
}

}  // namespace imagelib
