#include "reference/formats/decode.h"

#include <algorithm>

#include "reference/base/sha256.h"

namespace imagelib {
namespace {

constexpr std::uint64_t kDiskSizeBlock = 4096;
constexpr std::uint64_t kCopyChunk = 1024 * 1024;

}  // namespace

Result<DecodedImage> decode_raw_disk(const RandomAccessSource& file, Blob& disk,
                                     const DecodeLimits& limits) {
  if (file.size() > limits.max_virtual_size) {
    return Status(ErrorCode::kBadImage, "virtual size " + std::to_string(file.size()) +
                                            " is above the limit of " +
                                            std::to_string(limits.max_virtual_size) + " bytes");
  }
  Sha256 hash;
  std::uint64_t disk_size = 0;
  Bytes chunk;
  for (std::uint64_t offset = 0; offset < file.size(); offset += kCopyChunk) {
    chunk.resize(std::min(kCopyChunk, file.size() - offset));
    IMAGELIB_RETURN_IF_ERROR(file.read_at(offset, chunk));
    hash.update(chunk);
    for (std::uint64_t block = 0; block < chunk.size(); block += kDiskSizeBlock) {
      const ByteView piece = ByteView(chunk).subspan(block, std::min(kDiskSizeBlock, chunk.size() - block));
      if (!is_all_zero(piece)) disk_size += piece.size();
    }
    IMAGELIB_RETURN_IF_ERROR(disk.write_at(offset, chunk));
  }
  IMAGELIB_RETURN_IF_ERROR(disk.resize(file.size()));
  return DecodedImage{"raw", file.size(), disk_size, hash.hex_digest()};
}

// Until the format probes land, every non-empty file is taken as a raw disk.
Result<DecodedImage> decode_image(const RandomAccessSource& file, Blob& disk,
                                  const DecodeLimits& limits) {
  if (file.size() == 0) return Status(ErrorCode::kBadImage, "the file is empty");
  return decode_raw_disk(file, disk, limits);
}

}  // namespace imagelib
