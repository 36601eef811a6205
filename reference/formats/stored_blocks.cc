#include "reference/formats/stored_blocks.h"

#include <algorithm>
#include <string>

#include "reference/formats/container.h"

namespace imagelib {

Status check_blocks_disjoint(std::vector<std::uint64_t>& starts, std::uint64_t length,
                             std::string_view format, std::string_view what) {
  std::sort(starts.begin(), starts.end());
  for (std::size_t i = 1; i < starts.size(); ++i) {
    if (starts[i] - starts[i - 1] < length) {
      return bad_image(format, std::string(what) + " at " + std::to_string(starts[i - 1]) +
                                   " and " + std::to_string(starts[i]) +
                                   " share stored bytes (each must be used once)");
    }
  }
  return {};
}

std::uint64_t bytes_in_disk(std::uint64_t block_start, std::uint64_t block_size,
                            std::uint64_t virtual_size) {
  if (block_start >= virtual_size) return 0;
  return std::min(block_size, virtual_size - block_start);
}

Status check_virtual_size(std::uint64_t virtual_size, const DecodeLimits& limits,
                          std::string_view format) {
  if (virtual_size <= limits.max_virtual_size) return {};
  return bad_image(format, "virtual size " + std::to_string(virtual_size) +
                               " is above the limit of " + std::to_string(limits.max_virtual_size) +
                               " bytes");
}

Status copy_stored_bytes(const RandomAccessSource& in, std::uint64_t file_offset,
                         std::uint64_t guest_offset, std::uint64_t length, UnitSink& out,
                         std::string_view format, std::string_view what) {
  if (!fits_in(file_offset, length, in.size())) {
    return bad_image(format, std::string(what) + " at offset " + std::to_string(file_offset) +
                                 " (" + std::to_string(length) + " bytes) lies outside the file (" +
                                 std::to_string(in.size()) + " bytes)");
  }
  for (std::uint64_t done = 0; done < length;) {
    const std::uint64_t piece = std::min(kMaxStoredRead, length - done);
    IMAGELIB_RETURN_IF_ERROR(out.write_stored(in, file_offset + done, guest_offset + done, piece));
    done += piece;
  }
  return {};
}

}  // namespace imagelib
