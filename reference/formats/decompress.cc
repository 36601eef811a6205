#include "reference/formats/decompress.h"

#include <initializer_list>

#include "reference/formats/decompress_stream.h"

namespace imagelib {

namespace {

bool starts_with(ByteView head, std::initializer_list<std::uint8_t> magic) {
  if (head.size() < magic.size()) return false;
  std::size_t i = 0;
  for (std::uint8_t byte : magic) {
    if (head[i++] != byte) return false;
  }
  return true;
}

}  // namespace

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::kGzip: return "gzip";
    case Compression::kBzip2: return "bzip2";
    case Compression::kXz: return "xz";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

std::optional<Compression> detect_compression(ByteView head) {
  if (starts_with(head, {0x1f, 0x8b, 0x08})) return Compression::kGzip;  // RFC 1952, deflate
  if (starts_with(head, {'B', 'Z', 'h'}) && head.size() > 3 && head[3] >= '1' && head[3] <= '9') {
    return Compression::kBzip2;
  }
  if (starts_with(head, {0xfd, '7', 'z', 'X', 'Z', 0x00})) return Compression::kXz;
  if (starts_with(head, {0x28, 0xb5, 0x2f, 0xfd})) return Compression::kZstd;  // RFC 8878 frame
  return std::nullopt;
}

std::unique_ptr<Decompressor> open_decompressor(Compression compression,
                                                const RandomAccessSource& in,
                                                std::uint64_t max_output) {
  switch (compression) {
    case Compression::kGzip: return open_gzip_decompressor(in, max_output);
    case Compression::kBzip2: return open_bzip2_decompressor(in, max_output);
    case Compression::kXz: return open_xz_decompressor(in, max_output);
    case Compression::kZstd: return open_zstd_decompressor(in, max_output);
  }
  return nullptr;
}

}  // namespace imagelib
