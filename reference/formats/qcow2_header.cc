#include "reference/formats/qcow2_header.h"

#include <algorithm>

namespace imagelib {
namespace {

constexpr std::string_view kFormat = "qcow2";

// Header fields, big-endian, by offset.
constexpr std::size_t kVersionAt = 4;
constexpr std::size_t kBackingFileOffsetAt = 8;
constexpr std::size_t kClusterBitsAt = 20;
constexpr std::size_t kSizeAt = 24;
constexpr std::size_t kCryptMethodAt = 32;
constexpr std::size_t kL1SizeAt = 36;
constexpr std::size_t kL1TableOffsetAt = 40;
constexpr std::size_t kRefcountTableOffsetAt = 48;
constexpr std::size_t kRefcountTableClustersAt = 56;
constexpr std::size_t kNbSnapshotsAt = 60;
constexpr std::size_t kSnapshotsOffsetAt = 64;
constexpr std::size_t kVersion2HeaderLength = 72;
constexpr std::size_t kIncompatibleFeaturesAt = 72;
constexpr std::size_t kRefcountOrderAt = 96;
constexpr std::size_t kHeaderLengthAt = 100;
constexpr std::size_t kVersion3MinHeaderLength = 104;
constexpr std::size_t kCompressionTypeAt = 104;

constexpr std::uint64_t kIncompatDirty = 1u << 0;
constexpr std::uint64_t kIncompatCorrupt = 1u << 1;
constexpr std::uint64_t kIncompatDataFile = 1u << 2;
constexpr std::uint64_t kIncompatCompressionType = 1u << 3;
constexpr std::uint64_t kIncompatExtendedL2 = 1u << 4;
constexpr std::uint64_t kKnownIncompat = kIncompatDirty | kIncompatCorrupt | kIncompatDataFile |
                                         kIncompatCompressionType | kIncompatExtendedL2;

constexpr std::uint32_t kMinClusterBits = 9;
constexpr std::uint32_t kMaxClusterBits = 21;
constexpr std::uint32_t kMinExtendedL2ClusterBits = 14;
constexpr std::uint64_t kMaxL1Bytes = 32 * kMiB;       // qemu's QCOW_MAX_L1_SIZE
constexpr std::uint64_t kMaxRefcountTableBytes = 8 * kMiB;  // QCOW_MAX_REFTABLE_SIZE
constexpr std::uint32_t kMaxSnapshots = 65536;             // QCOW_MAX_SNAPSHOTS
constexpr std::uint32_t kMaxRefcountOrder = 6;

// Header extension types (u32 type, u32 length, data padded to 8 bytes).
constexpr std::uint32_t kExtensionEnd = 0;
constexpr std::uint32_t kExtensionDataFile = 0x44415441;
constexpr std::uint32_t kExtensionEncryption = 0x0537be77;

Status check_table(std::string_view what, std::uint64_t offset, std::uint64_t length,
                   const Qcow2Header& header, std::uint64_t file_size) {
  if (offset % header.cluster_size() != 0) {
    return bad_image(kFormat, std::string(what) + " offset " + std::to_string(offset) +
                                  " is not cluster-aligned");
  }
  if (!fits_in(offset, length, file_size)) {
    return bad_image(kFormat, std::string(what) + " at offset " + std::to_string(offset) + " (" +
                                  std::to_string(length) + " bytes) lies outside the file (" +
                                  std::to_string(file_size) + " bytes)");
  }
  return {};
}

std::string hex32(std::uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) text += kDigits[(value >> shift) & 0xf];
  return text;
}

Status check_extensions(ByteView cluster0, std::size_t start) {
  std::size_t at = start;
  while (at + 8 <= cluster0.size()) {
    const std::uint32_t type = load_be32(cluster0, at);
    const std::uint32_t length = load_be32(cluster0, at + 4);
    if (type == kExtensionEnd) return {};
    const std::uint64_t padded = (std::uint64_t{length} + 7) / 8 * 8;
    if (padded > cluster0.size() - at - 8) {
      return bad_image(kFormat, "header extension " + hex32(type) +
                                    " runs past the first cluster or the file");
    }
    if (type == kExtensionDataFile) return bad_image(kFormat, "an external data file is not allowed");
    if (type == kExtensionEncryption) return bad_image(kFormat, "encrypted images are not supported");
    at += 8 + static_cast<std::size_t>(padded);
  }
  if (at < cluster0.size()) {
    return bad_image(kFormat, "header extensions run past the first cluster or the file");
  }
  return {};
}

std::string bit_list(std::uint64_t bits) {
  std::string list;
  for (int bit = 0; bit < 64; ++bit) {
    if ((bits >> bit) & 1u) list += (list.empty() ? "" : ", ") + std::to_string(bit);
  }
  return list;
}

}  // namespace

Result<Qcow2Header> read_qcow2_header(const RandomAccessSource& in, const DecodeLimits& limits) {
  auto fixed = read_bytes(in, 0, kVersion2HeaderLength, kFormat, "the header");
  if (!fixed.ok()) return fixed.status();
  const ByteView h = *fixed;
  if (load_be32(h, 0) != kQcow2Magic) return bad_image(kFormat, "bad magic");

  Qcow2Header header;
  header.version = load_be32(h, kVersionAt);
  if (header.version != 2 && header.version != 3) {
    return bad_image(kFormat, "unsupported version " + std::to_string(header.version));
  }
  if (load_be64(h, kBackingFileOffsetAt) != 0) {
    return bad_image(kFormat, "a backing file is not allowed (the image must be self-contained)");
  }
  header.cluster_bits = load_be32(h, kClusterBitsAt);
  if (header.cluster_bits < kMinClusterBits || header.cluster_bits > kMaxClusterBits) {
    return bad_image(kFormat, "cluster_bits " + std::to_string(header.cluster_bits) +
                                  " is outside 9-21");
  }
  header.virtual_size = load_be64(h, kSizeAt);
  if (header.virtual_size > limits.max_virtual_size) {
    return bad_image(kFormat, "virtual size " + std::to_string(header.virtual_size) +
                                  " is above the limit of " +
                                  std::to_string(limits.max_virtual_size) + " bytes");
  }
  if (load_be32(h, kCryptMethodAt) != 0) {
    return bad_image(kFormat, "encrypted images are not supported");
  }

  // Cluster 0 holds the rest of the header and its extensions.
  const std::uint64_t cluster0_size = std::min(header.cluster_size(), in.size());
  auto cluster0_bytes = read_bytes(in, 0, cluster0_size, kFormat, "the first cluster");
  if (!cluster0_bytes.ok()) return cluster0_bytes.status();
  const ByteView cluster0 = *cluster0_bytes;

  std::size_t header_length = kVersion2HeaderLength;
  if (header.version == 3) {
    if (cluster0.size() < kVersion3MinHeaderLength) {
      return bad_image(kFormat, "the version 3 header is cut short by the end of the file");
    }
    header_length = load_be32(cluster0, kHeaderLengthAt);
    if (header_length < kVersion3MinHeaderLength || header_length > cluster0.size() ||
        header_length % 8 != 0) {
      return bad_image(kFormat, "header_length " + std::to_string(header_length) + " is invalid");
    }
    header.incompatible_features = load_be64(cluster0, kIncompatibleFeaturesAt);
    if (load_be32(cluster0, kRefcountOrderAt) > kMaxRefcountOrder) {
      return bad_image(kFormat, "refcount_order above 6");
    }
  }
  const std::uint64_t features = header.incompatible_features;
  if (features & ~kKnownIncompat) {
    return bad_image(kFormat, "unknown incompatible feature bit(s) " + bit_list(features & ~kKnownIncompat));
  }
  if (features & kIncompatCorrupt) return bad_image(kFormat, "the image is marked corrupt");
  if (features & kIncompatDataFile) return bad_image(kFormat, "an external data file is not allowed");
  const std::uint8_t compression_type =
      header_length > kCompressionTypeAt ? cluster0[kCompressionTypeAt] : 0;
  if (compression_type > 1) {
    return bad_image(kFormat, "unknown compression type " + std::to_string(compression_type));
  }
  if ((compression_type != 0) != ((features & kIncompatCompressionType) != 0)) {
    return bad_image(kFormat, "compression type and its feature bit disagree");
  }
  header.compression = static_cast<Qcow2Compression>(compression_type);
  header.extended_l2 = (features & kIncompatExtendedL2) != 0;
  if (header.extended_l2 && header.cluster_bits < kMinExtendedL2ClusterBits) {
    return bad_image(kFormat, "extended L2 entries need clusters of at least 16 KiB");
  }
  IMAGELIB_RETURN_IF_ERROR(check_extensions(cluster0, header_length));

  // The L1 table: not above 32 MiB, covering the virtual size, in the file.
  header.l1_size = load_be32(h, kL1SizeAt);
  header.l1_table_offset = load_be64(h, kL1TableOffsetAt);
  const std::uint64_t l1_bytes = std::uint64_t{header.l1_size} * 8;
  if (l1_bytes > kMaxL1Bytes) return bad_image(kFormat, "the L1 table is above 32 MiB");
  const std::uint64_t l2_span = header.l2_entries() * header.cluster_size();
  const std::uint64_t l1_needed = (header.virtual_size + l2_span - 1) / l2_span;
  if (header.l1_size < l1_needed) {
    return bad_image(kFormat, "the L1 table (" + std::to_string(header.l1_size) +
                                  " entries) does not cover the virtual size");
  }
  if (header.l1_size > 0) {
    IMAGELIB_RETURN_IF_ERROR(check_table("L1 table", header.l1_table_offset, l1_bytes, header, in.size()));
  }

  header.refcount_table_offset = load_be64(h, kRefcountTableOffsetAt);
  header.refcount_table_clusters = load_be32(h, kRefcountTableClustersAt);
  if (header.refcount_table_clusters == 0) {
    return bad_image(kFormat, "the image has no refcount table");
  }
  const std::uint64_t refcount_bytes =
      std::uint64_t{header.refcount_table_clusters} * header.cluster_size();
  if (refcount_bytes > kMaxRefcountTableBytes) {
    return bad_image(kFormat, "the refcount table is above 8 MiB");
  }
  IMAGELIB_RETURN_IF_ERROR(check_table("refcount table", header.refcount_table_offset,
                                       refcount_bytes, header, in.size()));

  const std::uint32_t nb_snapshots = load_be32(h, kNbSnapshotsAt);
  if (nb_snapshots > kMaxSnapshots) return bad_image(kFormat, "more than 65536 snapshots");
  if (nb_snapshots > 0) {
    IMAGELIB_RETURN_IF_ERROR(check_table("snapshot table", load_be64(h, kSnapshotsOffsetAt), 1,
                                         header, in.size()));
  }
  return header;
}

}  // namespace imagelib
