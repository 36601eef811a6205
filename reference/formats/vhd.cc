#include "reference/formats/vhd.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "reference/formats/stored_blocks.h"

namespace imagelib {
namespace {

constexpr std::string_view kFormat = "vpc";

// Footer (512 bytes, big-endian), at the end of every VHD and copied to
// offset 0 of dynamic ones.
constexpr std::uint64_t kFooterBytes = 512;
constexpr std::string_view kFooterCookie = "conectix";  // offset 0
constexpr std::size_t kDataOffsetOffset = 16;           // u64, the dynamic header
constexpr std::size_t kCreatorAppOffset = 28;           // 4 characters
constexpr std::size_t kCurrentSizeOffset = 48;          // u64
constexpr std::size_t kCylindersOffset = 56;            // u16, then heads u8, sectors u8
constexpr std::size_t kDiskTypeOffset = 60;             // u32
constexpr std::size_t kFooterChecksumOffset = 64;       // u32
constexpr std::uint32_t kDiskTypeFixed = 2;
constexpr std::uint32_t kDiskTypeDynamic = 3;
constexpr std::uint32_t kDiskTypeDifferencing = 4;

// Dynamic disk header (1024 bytes, big-endian), at the footer's data offset.
constexpr std::uint64_t kDynamicHeaderBytes = 1024;
constexpr std::string_view kDynamicCookie = "cxsparse";  // offset 0
constexpr std::size_t kTableOffsetOffset = 16;           // u64, the BAT
constexpr std::size_t kMaxTableEntriesOffset = 28;       // u32
constexpr std::size_t kBlockSizeOffset = 32;             // u32
constexpr std::size_t kDynamicChecksumOffset = 36;       // u32

constexpr std::uint64_t kSectorSize = 512;
constexpr std::uint32_t kUnallocated = 0xffffffff;
// qemu's VHD_MAX_SECTORS (2040 GiB) and VHD_MAX_GEOMETRY (65535 x 16 x 255).
constexpr std::uint64_t kMaxSectors = 0xff000000;
constexpr std::uint64_t kMaxGeometrySectors = 65535ull * 16 * 255;

std::string number(std::uint64_t value) { return std::to_string(value); }

bool has_cookie(ByteView bytes, std::string_view cookie) {
  return bytes.size() >= cookie.size() &&
         std::memcmp(bytes.data(), cookie.data(), cookie.size()) == 0;
}

// The ones' complement of the byte sum with the checksum field taken as zero.
bool checksum_ok(ByteView bytes, std::size_t checksum_offset) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i < checksum_offset || i >= checksum_offset + 4) sum += bytes[i];
  }
  return static_cast<std::uint32_t>(~sum) == load_be32(bytes, checksum_offset);
}

Result<Bytes> read_trailing_footer(const RandomAccessSource& in) {
  if (in.size() < kFooterBytes) return bad_image(kFormat, "the file is shorter than a footer");
  return read_bytes(in, in.size() - kFooterBytes, kFooterBytes, kFormat, "footer");
}

bool matches_vpc(const RandomAccessSource& in) {
  Bytes head(kFooterCookie.size());
  if (in.size() >= head.size() && in.read_at(0, head).ok() && has_cookie(head, kFooterCookie)) {
    return true;
  }
  // A fixed disk has its footer only at the end: claim it when that footer
  // is a well-formed fixed-disk footer, so it is never taken for raw.
  auto footer = read_trailing_footer(in);
  return footer.ok() && has_cookie(*footer, kFooterCookie) &&
         checksum_ok(*footer, kFooterChecksumOffset) &&
         load_be32(*footer, kDiskTypeOffset) == kDiskTypeFixed;
}

// qemu 7.2's rule: the size is the CHS geometry's unless the creator is known
// to store the real size in current_size, or the geometry is the maximum.
std::uint64_t virtual_sectors(ByteView footer) {
  static constexpr std::array<std::array<char, 4>, 5> kSizeTrustingCreators = {
      {{'w', 'i', 'n', ' '},
       {'q', 'e', 'm', '2'},
       {'d', '2', 'v', ' '},
       {'C', 'T', 'X', 'S'},
       {'t', 'a', 'p', '\0'}}};
  const std::uint64_t chs = std::uint64_t{load_be16(footer, kCylindersOffset)} *
                            footer[kCylindersOffset + 2] * footer[kCylindersOffset + 3];
  const bool trusts_current_size =
      std::any_of(kSizeTrustingCreators.begin(), kSizeTrustingCreators.end(), [&](const auto& app) {
        return std::memcmp(footer.data() + kCreatorAppOffset, app.data(), app.size()) == 0;
      });
  if (trusts_current_size || chs == kMaxGeometrySectors) {
    return load_be64(footer, kCurrentSizeOffset) / kSectorSize;
  }
  return chs;
}

Result<std::uint64_t> decode_fixed(const RandomAccessSource& in, UnitSink& out,
                                   std::uint64_t virtual_size) {
  if (virtual_size > in.size() - kFooterBytes) {
    return bad_image(kFormat, "fixed disk of " + number(virtual_size) +
                                  " bytes needs more than the " + number(in.size() - kFooterBytes) +
                                  " bytes before its footer");
  }
  if (virtual_size > 0) {
    IMAGELIB_RETURN_IF_ERROR(copy_stored_bytes(in, 0, 0, virtual_size, out, kFormat, "disk data"));
  }
  return virtual_size;
}

Result<std::uint64_t> decode_dynamic(const RandomAccessSource& in, UnitSink& out, ByteView footer,
                                     std::uint64_t virtual_size) {
  auto header = read_bytes(in, load_be64(footer, kDataOffsetOffset), kDynamicHeaderBytes, kFormat,
                           "dynamic disk header");
  if (!header.ok()) return header.status();
  if (!has_cookie(*header, kDynamicCookie)) {
    return bad_image(kFormat, "the dynamic disk header has no cxsparse cookie");
  }
  if (!checksum_ok(*header, kDynamicChecksumOffset)) {
    return bad_image(kFormat, "the dynamic disk header checksum is wrong");
  }
  const std::uint64_t block_size = load_be32(*header, kBlockSizeOffset);
  if (block_size < kSectorSize || (block_size & (block_size - 1)) != 0) {
    return bad_image(kFormat,
                     "block size " + number(block_size) + " is not a power of two of at least 512");
  }
  const std::uint64_t entries = load_be32(*header, kMaxTableEntriesOffset);
  const std::uint64_t blocks = (virtual_size + block_size - 1) / block_size;
  if (entries < blocks) {
    return bad_image(kFormat, "the block allocation table has " + number(entries) +
                                  " entries; the disk needs " + number(blocks));
  }
  auto table = read_bytes(in, load_be64(*header, kTableOffsetOffset), 4 * entries, kFormat,
                          "block allocation table");
  if (!table.ok()) return table.status();

  // Each block is a sector bitmap (ignored on read, as qemu does) and then
  // the data. Every allocated entry must lie inside the file, as qemu
  // checks, and no two may share stored bytes.
  const std::uint64_t bitmap_size = (block_size / (8 * kSectorSize) + 511) / 512 * 512;
  const std::uint64_t stored_block = bitmap_size + block_size;
  std::vector<std::uint64_t> starts;
  for (std::uint64_t i = 0; i < entries; ++i) {
    const std::uint32_t sector = load_be32(*table, 4 * i);
    if (sector == kUnallocated) continue;
    const std::uint64_t start = std::uint64_t{sector} * kSectorSize;
    if (!fits_in(start, stored_block, in.size())) {
      return bad_image(kFormat, "block " + number(i) + " at offset " + number(start) +
                                    " lies outside the file (" + number(in.size()) + " bytes)");
    }
    starts.push_back(start);
  }
  IMAGELIB_RETURN_IF_ERROR(check_blocks_disjoint(starts, stored_block, kFormat, "blocks"));

  for (std::uint64_t block = 0; block < blocks; ++block) {
    const std::uint64_t guest = block * block_size;
    const std::uint64_t length = bytes_in_disk(guest, block_size, virtual_size);
    const std::uint32_t sector = load_be32(*table, 4 * block);
    if (sector == kUnallocated) {
      IMAGELIB_RETURN_IF_ERROR(out.write_zero(guest, length));
    } else {
      IMAGELIB_RETURN_IF_ERROR(
          copy_stored_bytes(in, std::uint64_t{sector} * kSectorSize + bitmap_size, guest, length,
                            out, kFormat, "block " + number(block)));
    }
  }
  return virtual_size;
}

Result<std::uint64_t> decode_vpc(const RandomAccessSource& in, UnitSink& out,
                                 const DecodeLimits& limits) {
  auto head = read_bytes(in, 0, std::min(kFooterBytes, in.size()), kFormat, "footer copy");
  if (!head.ok()) return head.status();
  // A dynamic disk starts with a copy of its footer; a fixed one has it at
  // the end only.
  const bool footer_at_start = head->size() == kFooterBytes && has_cookie(*head, kFooterCookie);
  Bytes footer;
  if (footer_at_start) {
    footer = std::move(*head);
  } else {
    auto trailing = read_trailing_footer(in);
    if (!trailing.ok()) return trailing.status();
    if (!has_cookie(*trailing, kFooterCookie)) {
      return bad_image(kFormat, "no conectix footer at the start or the end of the file");
    }
    footer = std::move(*trailing);
  }
  if (!checksum_ok(footer, kFooterChecksumOffset)) {
    return bad_image(kFormat, "the footer checksum is wrong");
  }
  const std::uint32_t disk_type = load_be32(footer, kDiskTypeOffset);
  if (disk_type == kDiskTypeDifferencing) {
    return bad_image(kFormat, "differencing disk (type 4): its content depends on a parent image");
  }
  const std::uint32_t expected_type = footer_at_start ? kDiskTypeDynamic : kDiskTypeFixed;
  if (disk_type != expected_type) {
    return bad_image(kFormat,
                     "disk type " + number(disk_type) +
                         (footer_at_start ? " with a footer copy at offset 0 is not dynamic (3)"
                                          : " with a footer only at the end is not fixed (2)"));
  }
  const std::uint64_t sectors = virtual_sectors(footer);
  if (sectors > kMaxSectors) {
    return bad_image(kFormat, "disk of " + number(sectors) + " sectors is above VHD's 2040 GiB");
  }
  const std::uint64_t virtual_size = sectors * kSectorSize;
  IMAGELIB_RETURN_IF_ERROR(check_virtual_size(virtual_size, limits, kFormat));
  if (footer_at_start) return decode_dynamic(in, out, footer, virtual_size);
  return decode_fixed(in, out, virtual_size);
}

}  // namespace

const ContainerFormat& vpc_format() {
  static const ContainerFormat format{kFormat, matches_vpc, decode_vpc};
  return format;
}

}  // namespace imagelib
