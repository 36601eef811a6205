#include "reference/formats/qcow2.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "reference/formats/extent_emitter.h"
#include "reference/formats/qcow2_cluster_codec.h"
#include "reference/formats/qcow2_header.h"

namespace imagelib {
namespace {

constexpr std::string_view kFormat = "qcow2";

constexpr std::uint64_t kOffsetMask = 0x00fffffffffffe00;     // bits 9-55 of L1 and L2 entries
constexpr std::uint64_t kL1Reserved = 0x7f000000000001ff;     // bits 0-8, 56-62
constexpr std::uint64_t kL2Reserved = 0x3f000000000001fe;     // bits 1-8, 56-61
constexpr std::uint64_t kL2ZeroFlag = 1;                      // bit 0 (v3, standard L2)
constexpr std::uint64_t kL2Compressed = std::uint64_t{1} << 62;
constexpr std::uint64_t kSector = 512;
constexpr unsigned kSubclusters = 32;  // per cluster with extended L2

// One bit per host cluster of the file: a cluster the active tables use twice
// (for a table or for data) is refused, so a small file cannot expand into
// terabytes of data by pointing many guest clusters at one host cluster.
class HostClusterMap {
 public:
  HostClusterMap(std::uint64_t file_size, std::uint32_t cluster_bits)
      : cluster_bits_(cluster_bits), used_(((file_size >> cluster_bits) + 1), false) {}

  Status claim(std::uint64_t offset, std::uint64_t length, std::string_view what) {
    const std::uint64_t first = offset >> cluster_bits_;
    const std::uint64_t last = (offset + std::max<std::uint64_t>(length, 1) - 1) >> cluster_bits_;
    for (std::uint64_t c = first; c <= last; ++c) {
      if (used_[c]) {
        return bad_image(kFormat, std::string(what) + " at offset " + std::to_string(offset) +
                                      " reuses a host cluster already in use (aliasing)");
      }
      used_[c] = true;
    }
    return {};
  }

 private:
  std::uint32_t cluster_bits_;
  std::vector<bool> used_;
};

class Qcow2Decoder {
 public:
  Qcow2Decoder(const RandomAccessSource& in, UnitSink& out, const Qcow2Header& header)
      : in_(in),
        header_(header),
        cluster_(header.cluster_size()),
        emitter_(in, out),
        used_(in.size(), header.cluster_bits) {}

  Status decode() {
    IMAGELIB_RETURN_IF_ERROR(used_.claim(0, cluster_, "the header"));
    const std::uint64_t l1_bytes = std::uint64_t{header_.l1_size} * 8;
    if (l1_bytes > 0) {
      IMAGELIB_RETURN_IF_ERROR(used_.claim(header_.l1_table_offset, l1_bytes, "the L1 table"));
    }
    IMAGELIB_RETURN_IF_ERROR(used_.claim(header_.refcount_table_offset,
                                         std::uint64_t{header_.refcount_table_clusters} * cluster_,
                                         "the refcount table"));
    const std::uint64_t l2_span = header_.l2_entries() * cluster_;
    const std::uint64_t l1_needed = (header_.virtual_size + l2_span - 1) / l2_span;
    auto l1 = read_bytes(in_, header_.l1_table_offset, l1_needed * 8, kFormat, "the L1 table");
    if (!l1.ok()) return l1.status();
    Bytes l2(cluster_);
    for (std::uint64_t i = 0; i < l1_needed; ++i) {
      const std::uint64_t guest = i * l2_span;
      const std::uint64_t span = std::min(l2_span, header_.virtual_size - guest);
      const std::uint64_t entry = load_be64(*l1, static_cast<std::size_t>(i * 8));
      if (entry & kL1Reserved) return bad_image(kFormat, "L1 entry " + std::to_string(i) + " has reserved bits set");
      const std::uint64_t l2_offset = entry & kOffsetMask;
      if (l2_offset == 0) {
        IMAGELIB_RETURN_IF_ERROR(emitter_.zero(guest, span));
        continue;
      }
      IMAGELIB_RETURN_IF_ERROR(check_cluster("L2 table", l2_offset, cluster_));
      IMAGELIB_RETURN_IF_ERROR(used_.claim(l2_offset, cluster_, "an L2 table"));
      IMAGELIB_RETURN_IF_ERROR(in_.read_at(l2_offset, l2));
      IMAGELIB_RETURN_IF_ERROR(decode_l2_table(l2, guest, span));
    }
    IMAGELIB_RETURN_IF_ERROR(emitter_.flush());
    return check_compressed_aliasing();
  }

 private:
  Status check_cluster(std::string_view what, std::uint64_t offset, std::uint64_t length) {
    if (offset % cluster_ != 0) {
      return bad_image(kFormat, std::string(what) + " offset " + std::to_string(offset) +
                                    " is not cluster-aligned");
    }
    if (!fits_in(offset, length, in_.size())) {
      return bad_image(kFormat, std::string(what) + " at offset " + std::to_string(offset) +
                                    " lies outside the file (" + std::to_string(in_.size()) + " bytes)");
    }
    return {};
  }

  Status decode_l2_table(ByteView l2, std::uint64_t guest_start, std::uint64_t span) {
    const std::uint64_t clusters = (span + cluster_ - 1) / cluster_;
    for (std::uint64_t j = 0; j < clusters; ++j) {
      const std::uint64_t guest = guest_start + j * cluster_;
      const std::uint64_t length = std::min(cluster_, guest_start + span - guest);
      const std::size_t at = static_cast<std::size_t>(j * header_.l2_entry_size());
      const std::uint64_t entry = load_be64(l2, at);
      if (entry & kL2Compressed) {
        IMAGELIB_RETURN_IF_ERROR(decode_compressed(entry, guest, length));
      } else if (header_.extended_l2) {
        IMAGELIB_RETURN_IF_ERROR(decode_subclusters(entry, load_be64(l2, at + 8), guest, length));
      } else {
        IMAGELIB_RETURN_IF_ERROR(decode_standard(entry, guest, length));
      }
    }
    return {};
  }

  Status decode_standard(std::uint64_t entry, std::uint64_t guest, std::uint64_t length) {
    if (entry & kL2Reserved) return bad_image(kFormat, "an L2 entry has reserved bits set");
    if (entry & kL2ZeroFlag) {
      if (header_.version < 3) return bad_image(kFormat, "a zero cluster in a version 2 image");
      return emitter_.zero(guest, length);
    }
    const std::uint64_t host = entry & kOffsetMask;
    if (host == 0) return emitter_.zero(guest, length);
    IMAGELIB_RETURN_IF_ERROR(check_cluster("a data cluster", host, length));
    IMAGELIB_RETURN_IF_ERROR(used_.claim(host, cluster_, "a data cluster"));
    return emitter_.copy(guest, host, length);
  }

  // Extended L2: bits 0-31 of the bitmap say "subcluster allocated", bits
  // 32-63 "subcluster reads as zero"; neither means unallocated (zeros).
  Status decode_subclusters(std::uint64_t entry, std::uint64_t bitmap, std::uint64_t guest,
                            std::uint64_t length) {
    if (entry & kL2Reserved) return bad_image(kFormat, "an L2 entry has reserved bits set");
    const std::uint32_t allocated = static_cast<std::uint32_t>(bitmap);
    const std::uint32_t zero = static_cast<std::uint32_t>(bitmap >> 32);
    if (allocated & zero) {
      return bad_image(kFormat, "a subcluster is marked both allocated and zero");
    }
    const std::uint64_t host = entry & kOffsetMask;
    if (host == 0) {
      if (allocated != 0) return bad_image(kFormat, "allocated subclusters without a host cluster");
      return emitter_.zero(guest, length);
    }
    const std::uint64_t subcluster = cluster_ / kSubclusters;
    // Only the allocated subclusters inside the disk are read.
    std::uint64_t needed = 0;
    for (unsigned s = 0; s < kSubclusters && s * subcluster < length; ++s) {
      if ((allocated >> s) & 1u) needed = std::min(length, (s + 1) * subcluster);
    }
    IMAGELIB_RETURN_IF_ERROR(check_cluster("a data cluster", host, needed));
    IMAGELIB_RETURN_IF_ERROR(used_.claim(host, cluster_, "a data cluster"));
    for (unsigned s = 0; s < kSubclusters && s * subcluster < length; ++s) {
      const std::uint64_t begin = s * subcluster;
      const std::uint64_t piece = std::min(subcluster, length - begin);
      if ((allocated >> s) & 1u) {
        IMAGELIB_RETURN_IF_ERROR(emitter_.copy(guest + begin, host + begin, piece));
      } else {
        IMAGELIB_RETURN_IF_ERROR(emitter_.zero(guest + begin, piece));
      }
    }
    return {};
  }

  // Compressed descriptor: the low x = 62 - (cluster_bits - 8) bits are the
  // host byte offset, the bits above (up to 61) the count of additional
  // 512-byte sectors the compressed data occupies.
  Status decode_compressed(std::uint64_t entry, std::uint64_t guest, std::uint64_t length) {
    const unsigned offset_bits = 62 - (header_.cluster_bits - 8);
    const std::uint64_t host = entry & ((std::uint64_t{1} << offset_bits) - 1);
    const std::uint64_t extra_sectors =
        (entry >> offset_bits) & ((std::uint64_t{1} << (header_.cluster_bits - 8)) - 1);
    if (host == 0 || host >= in_.size()) {
      return bad_image(kFormat, "a compressed cluster at offset " + std::to_string(host) +
                                    " lies outside the file");
    }
    // The size is known to the sector; the file may end inside the last one.
    const std::uint64_t span = (extra_sectors + 1) * kSector - (host % kSector);
    const std::uint64_t available = std::min(span, in_.size() - host);
    CompressedUnit unit{header_.compression == Qcow2Compression::kZstd ? UnitCodec::kQcow2Zstd
                                                                        : UnitCodec::kQcow2Zlib,
                        guest, length, cluster_, guest / cluster_, Bytes(available)};
    IMAGELIB_RETURN_IF_ERROR(in_.read_at(host, unit.compressed));
    compressed_starts_.push_back(host);
    return emitter_.unit(std::move(unit));
  }

  // Compressed clusters share host clusters legitimately, so aliasing among
  // them is judged by their start offsets: two guest clusters may not decode
  // the same compressed data.
  Status check_compressed_aliasing() {
    std::sort(compressed_starts_.begin(), compressed_starts_.end());
    if (std::adjacent_find(compressed_starts_.begin(), compressed_starts_.end()) !=
        compressed_starts_.end()) {
      return bad_image(kFormat, "two guest clusters point at the same compressed data (aliasing)");
    }
    return {};
  }

  const RandomAccessSource& in_;
  const Qcow2Header& header_;
  const std::uint64_t cluster_;
  ExtentEmitter emitter_;
  HostClusterMap used_;
  std::vector<std::uint64_t> compressed_starts_;
};

bool qcow2_matches(const RandomAccessSource& in) {
  if (in.size() < 8) return false;
  Bytes head(8);
  if (!in.read_at(0, head).ok()) return false;
  // Version 1 is qcow, refused by the probe as out of scope.
  return load_be32(head, 0) == kQcow2Magic && load_be32(head, 4) != 1;
}

Result<std::uint64_t> decode_qcow2(const RandomAccessSource& in, UnitSink& out,
                                   const DecodeLimits& limits) {
  auto header = read_qcow2_header(in, limits);
  if (!header.ok()) return header.status();
  Qcow2Decoder decoder(in, out, *header);
  IMAGELIB_RETURN_IF_ERROR(decoder.decode());
  return header->virtual_size;
}

}  // namespace

const ContainerFormat& qcow2_format() {
  static const ContainerFormat kQcow2{"qcow2", &qcow2_matches, &decode_qcow2};
  return kQcow2;
}

}  // namespace imagelib
