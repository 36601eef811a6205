// libFuzzer target for the whole decode path: probe, compression wrappers
// (gzip, bzip2, xz, zstd) and every registered reader. Any input must decode
// or be refused with kBadImage; anything else is a finding.
#include <cstdint>
#include <cstdlib>

#include "reference/base/blob.h"
#include "reference/formats/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  imagelib::MemoryBlob file;
  if (!file.write_at(0, imagelib::ByteView(data, size)).ok()) return 0;
  imagelib::MemoryBlob disk;
  auto decoded = imagelib::decode_image(
      file, disk,
      imagelib::DecodeLimits{.max_virtual_size = 64 * imagelib::kMiB,
                             .max_decompressed_size = 64 * imagelib::kMiB});
  if (decoded.ok() && disk.size() != decoded->virtual_size) std::abort();
  if (!decoded.ok() && decoded.status().code() != imagelib::ErrorCode::kBadImage) std::abort();
  return 0;
}
