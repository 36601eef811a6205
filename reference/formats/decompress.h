// Streaming decompression of the wrappers an upload may come in (gzip,
// bzip2, xz, zstd): reads the compressed file sequentially through a
// RandomAccessSource and hands out the decompressed bytes in pieces, never the
// whole output at once. Output beyond `max_output` bytes is refused (a
// decompression bomb). Used by decode.cc; callable by anything in reference/.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "reference/base/bytes.h"

namespace imagelib {

enum class Compression : std::uint8_t { kGzip, kBzip2, kXz, kZstd };

// "gzip", "bzip2", "xz", "zstd".
std::string_view compression_name(Compression compression);

// The wrapper whose magic opens `head`, if any.
std::optional<Compression> detect_compression(ByteView head);

class Decompressor {
 public:
  virtual ~Decompressor() = default;
  // Fills as much of `out` as the stream allows; 0 means the stream ended
  // cleanly. A corrupt or truncated stream, trailing garbage, or output past
  // the limit gives kBadImage naming the wrapper.
  virtual Result<std::size_t> read(MutableByteView out) = 0;
  // Decompressed bytes handed out so far.
  virtual std::uint64_t produced() const = 0;
};

std::unique_ptr<Decompressor> open_decompressor(Compression compression,
                                                const RandomAccessSource& in,
                                                std::uint64_t max_output);

// Opens the Decompressor a decode reads a wrapper through
// (DecodeOptions::decompressors). open_decompressor is the definition;
// parallel/ supplies one that decodes on several threads with the same
// output and the same errors.
class DecompressorFactory {
 public:
  virtual ~DecompressorFactory() = default;
  virtual std::unique_ptr<Decompressor> open(Compression compression,
                                             const RandomAccessSource& in,
                                             std::uint64_t max_output) const = 0;
};

}  // namespace imagelib
