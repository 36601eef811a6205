#include "reference/formats/stored_blocks.h"

#include <algorithm>
#include <string>

#include "reference/formats/container.h"
#include "reference/formats/decode_unit.h"

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
                         std::uint64_t guest_offset, std::uint64_t length, ExtentSink& out,
                         std::string_view format, std::string_view what, Bytes& buffer) {
  constexpr std::uint64_t kChunk = kMaxStoredRead;
  if (!fits_in(file_offset, length, in.size())) {
    return bad_image(format, std::string(what) + " at offset " + std::to_string(file_offset) +
                                 " (" + std::to_string(length) + " bytes) lies outside the file (" +
                                 std::to_string(in.size()) + " bytes)");
  }
  // A reader's sink is a UnitSink, which reads the pieces itself (maybe on
  // other threads); a plain ExtentSink gets them read into `buffer`.
  auto* units = dynamic_cast<UnitSink*>(&out);
  for (std::uint64_t done = 0; done < length;) {
    const std::size_t piece = static_cast<std::size_t>(std::min(kChunk, length - done));
    if (units != nullptr) {
      IMAGELIB_RETURN_IF_ERROR(units->write_stored(in, file_offset + done, guest_offset + done, piece));
      done += piece;
      continue;
    }
    if (buffer.size() < piece) buffer.resize(piece);
    const MutableByteView chunk = MutableByteView(buffer).first(piece);
    IMAGELIB_RETURN_IF_ERROR(in.read_at(file_offset + done, chunk));
    IMAGELIB_RETURN_IF_ERROR(out.write_data(guest_offset + done, chunk));
    done += piece;
  }
  return {};
}

}  // namespace imagelib
