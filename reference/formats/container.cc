#include "reference/formats/container.h"

namespace imagelib {
namespace {

template <typename T>
T load_le(ByteView data, std::size_t offset) {
  T value = 0;
  for (std::size_t i = sizeof(T); i > 0; --i) {
    value = static_cast<T>((value << 8) | data[offset + i - 1]);
  }
  return value;
}

template <typename T>
T load_be(ByteView data, std::size_t offset) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | data[offset + i]);
  return value;
}

}  // namespace

bool fits_in(std::uint64_t offset, std::uint64_t length, std::uint64_t file_size) {
  return offset <= file_size && length <= file_size - offset;
}

Result<Bytes> read_bytes(const RandomAccessSource& in, std::uint64_t offset, std::uint64_t length,
                         std::string_view format, std::string_view what) {
  if (!fits_in(offset, length, in.size())) {
    return bad_image(format, std::string(what) + " at offset " + std::to_string(offset) +
                                 " lies outside the file (" + std::to_string(in.size()) + " bytes)");
  }
  Bytes bytes(length);
  IMAGELIB_RETURN_IF_ERROR(in.read_at(offset, bytes));
  return bytes;
}

std::uint16_t load_le16(ByteView d, std::size_t o) { return load_le<std::uint16_t>(d, o); }
std::uint32_t load_le32(ByteView d, std::size_t o) { return load_le<std::uint32_t>(d, o); }
std::uint64_t load_le64(ByteView d, std::size_t o) { return load_le<std::uint64_t>(d, o); }
std::uint16_t load_be16(ByteView d, std::size_t o) { return load_be<std::uint16_t>(d, o); }
std::uint32_t load_be32(ByteView d, std::size_t o) { return load_be<std::uint32_t>(d, o); }
std::uint64_t load_be64(ByteView d, std::size_t o) { return load_be<std::uint64_t>(d, o); }

}  // namespace imagelib
