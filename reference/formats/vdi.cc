#include "reference/formats/vdi.h"

#include <algorithm>
#include <string>
#include <vector>

#include "reference/formats/stored_blocks.h"

namespace imagelib {
namespace {

constexpr std::string_view kFormat = "vdi";

// Header fields, little-endian, offsets from the start of the file.
constexpr std::size_t kHeaderBytes = 512;
constexpr std::size_t kSignatureOffset = 0x40;
constexpr std::uint32_t kSignature = 0xbeda107f;
constexpr std::size_t kVersionOffset = 0x44;
constexpr std::uint32_t kVersion11 = 0x00010001;
constexpr std::size_t kHeaderSizeOffset = 0x48;  // bytes after the 0x48-byte preamble
constexpr std::uint32_t kMinHeaderSize = 0x180;  // up to and including uuid_parent
constexpr std::size_t kImageTypeOffset = 0x4c;
constexpr std::uint32_t kTypeDynamic = 1;
constexpr std::uint32_t kTypeStatic = 2;
constexpr std::size_t kBlockMapOffsetOffset = 0x154;
constexpr std::size_t kDataOffsetOffset = 0x158;
constexpr std::size_t kSectorSizeOffset = 0x168;
constexpr std::size_t kDiskSizeOffset = 0x170;
constexpr std::size_t kBlockSizeOffset = 0x178;
constexpr std::size_t kBlockExtraOffset = 0x17c;
constexpr std::size_t kBlocksInImageOffset = 0x180;
constexpr std::size_t kBlocksAllocatedOffset = 0x184;
constexpr std::size_t kLinkUuidOffset = 0x1a8;
constexpr std::size_t kParentUuidOffset = 0x1b8;
constexpr std::size_t kUuidBytes = 16;

constexpr std::uint32_t kSectorSize = 512;
constexpr std::uint32_t kBlockSize = 1024 * 1024;  // the only size qemu reads
constexpr std::uint32_t kFirstFreeEntry =
    0xfffffffe;  // 0xfffffffe discarded, 0xffffffff unallocated

bool matches_vdi(const RandomAccessSource& in) {
  Bytes signature(4);
  if (!fits_in(kSignatureOffset, 4, in.size()) || !in.read_at(kSignatureOffset, signature).ok()) {
    return false;
  }
  return load_le32(signature, 0) == kSignature;
}

std::string number(std::uint64_t value) { return std::to_string(value); }

struct VdiHeader {
  std::uint64_t virtual_size;
  std::uint64_t block_map_offset;
  std::uint64_t data_offset;
  std::uint32_t blocks_in_image;
  std::uint32_t blocks_allocated;
};

Result<VdiHeader> parse_header(ByteView h, std::uint64_t file_size, const DecodeLimits& limits) {
  if (load_le32(h, kSignatureOffset) != kSignature) return bad_image(kFormat, "bad signature");
  if (const std::uint32_t version = load_le32(h, kVersionOffset); version != kVersion11) {
    return bad_image(
        kFormat, "unsupported version " + number(version >> 16) + "." + number(version & 0xffff));
  }
  const std::uint32_t image_type = load_le32(h, kImageTypeOffset);
  if (image_type != kTypeDynamic && image_type != kTypeStatic) {
    return bad_image(kFormat, "image type " + number(image_type) +
                                  " is not dynamic (1) or static (2); undo and differencing "
                                  "images need a parent");
  }
  const auto is_null = [&](std::size_t offset) {
    return is_all_zero(h.subspan(offset, kUuidBytes));
  };
  if (!is_null(kLinkUuidOffset)) return bad_image(kFormat, "the link UUID names another image");
  if (!is_null(kParentUuidOffset)) return bad_image(kFormat, "the parent UUID names another image");

  VdiHeader header{};
  header.block_map_offset = load_le32(h, kBlockMapOffsetOffset);
  header.data_offset = load_le32(h, kDataOffsetOffset);
  header.blocks_in_image = load_le32(h, kBlocksInImageOffset);
  header.blocks_allocated = load_le32(h, kBlocksAllocatedOffset);
  const std::uint32_t header_size = load_le32(h, kHeaderSizeOffset);
  if (header_size < kMinHeaderSize || kHeaderSizeOffset + header_size > header.block_map_offset) {
    return bad_image(
        kFormat, "header size " + number(header_size) + " is too small or runs into the block map");
  }
  if (header.block_map_offset % kSectorSize != 0 || header.data_offset % kSectorSize != 0) {
    return bad_image(kFormat, "block map or data offset is not sector-aligned");
  }
  if (load_le32(h, kSectorSizeOffset) != kSectorSize) {
    return bad_image(kFormat,
                     "sector size " + number(load_le32(h, kSectorSizeOffset)) + " is not 512");
  }
  if (load_le32(h, kBlockSizeOffset) != kBlockSize) {
    return bad_image(kFormat,
                     "block size " + number(load_le32(h, kBlockSizeOffset)) + " is not 1 MiB");
  }
  if (load_le32(h, kBlockExtraOffset) != 0) {
    return bad_image(kFormat, "blocks carry " + number(load_le32(h, kBlockExtraOffset)) +
                                  " extra bytes, which are not supported");
  }
  const std::uint64_t disk_size = load_le64(h, kDiskSizeOffset);
  IMAGELIB_RETURN_IF_ERROR(check_virtual_size(disk_size, limits, kFormat));
  // Odd sizes (VBoxManage convertfromraw) read as if rounded up to a sector, as qemu does.
  header.virtual_size = (disk_size + kSectorSize - 1) / kSectorSize * kSectorSize;
  IMAGELIB_RETURN_IF_ERROR(check_virtual_size(header.virtual_size, limits, kFormat));
  if (header.virtual_size > std::uint64_t{header.blocks_in_image} * kBlockSize) {
    return bad_image(kFormat, "disk size " + number(disk_size) + " needs more than the " +
                                  number(header.blocks_in_image) + " blocks of the block map");
  }
  const std::uint64_t map_end = header.block_map_offset + 4 * std::uint64_t{header.blocks_in_image};
  if (map_end > header.data_offset || header.data_offset > file_size) {
    return bad_image(kFormat,
                     "the block map runs into the data area or the data area starts "
                     "past the end of the file");
  }
  return header;
}

Result<std::uint64_t> decode_vdi(const RandomAccessSource& in, UnitSink& out,
                                 const DecodeLimits& limits) {
  auto header_bytes = read_bytes(in, 0, kHeaderBytes, kFormat, "header");
  if (!header_bytes.ok()) return header_bytes.status();
  auto parsed = parse_header(*header_bytes, in.size(), limits);
  if (!parsed.ok()) return parsed.status();
  const VdiHeader& header = *parsed;

  const std::uint64_t blocks = (header.virtual_size + kBlockSize - 1) / kBlockSize;
  auto map = read_bytes(in, header.block_map_offset, 4 * blocks, kFormat, "block map");
  if (!map.ok()) return map.status();

  // Every index must name its own block: one stored block for two guest
  // blocks would let a small file decode to a large disk.
  std::vector<std::uint64_t> indexes;
  for (std::uint64_t block = 0; block < blocks; ++block) {
    const std::uint32_t index = load_le32(*map, 4 * block);
    if (index >= kFirstFreeEntry) continue;
    if (index >= header.blocks_allocated) {
      return bad_image(kFormat, "block " + number(block) + " maps to index " + number(index) +
                                    ", past the " + number(header.blocks_allocated) +
                                    " allocated blocks");
    }
    indexes.push_back(index);
  }
  IMAGELIB_RETURN_IF_ERROR(check_blocks_disjoint(indexes, 1, kFormat, "block map indexes"));

  for (std::uint64_t block = 0; block < blocks; ++block) {
    const std::uint64_t guest = block * kBlockSize;
    const std::uint64_t length = bytes_in_disk(guest, kBlockSize, header.virtual_size);
    const std::uint32_t index = load_le32(*map, 4 * block);
    if (index >= kFirstFreeEntry) {
      IMAGELIB_RETURN_IF_ERROR(out.write_zero(guest, length));
      continue;
    }
    IMAGELIB_RETURN_IF_ERROR(
        copy_stored_bytes(in, header.data_offset + std::uint64_t{index} * kBlockSize, guest, length,
                          out, kFormat, "block " + number(block)));
  }
  return header.virtual_size;
}

}  // namespace

const ContainerFormat& vdi_format() {
  static const ContainerFormat format{kFormat, matches_vdi, decode_vdi};
  return format;
}

}  // namespace imagelib
