#include "reference/formats/decode.h"

#include <algorithm>
#include <memory>

#include "reference/base/sha256.h"
#include "reference/formats/container.h"
#include "reference/formats/decode_unit.h"
#include "reference/formats/decompress.h"
#include "reference/formats/probe.h"
#include "reference/formats/sinks.h"

namespace imagelib {
namespace {

constexpr std::uint64_t kRawChunk = 4 * kMiB;
static_assert(kRawChunk <= kMaxStoredRead);
// Decompressed bytes probed before deciding between streaming a raw disk and
// spooling a container.
constexpr std::size_t kCompressedProbeBytes = 1024 * 1024;
constexpr std::size_t kVhdFooterBytes = 512;

struct Decoded {
  std::string format;
  std::uint64_t virtual_size = 0;
};

Status size_above_cap(std::string_view format, std::uint64_t size, const DecodeLimits& limits) {
  return Status(ErrorCode::kBadImage, std::string(format) + ": virtual size " +
                                          std::to_string(size) + " is above the limit of " +
                                          std::to_string(limits.max_virtual_size) + " bytes");
}

// Hands only the non-zero 4 KiB blocks of each data extent on as data; the
// rest as zero extents.
class ZeroBlockSplitter final : public ExtentSink {
 public:
  explicit ZeroBlockSplitter(ExtentSink& out) : out_(out) {}
  Status write_data(std::uint64_t offset, ByteView data) override {
    return write_raw_bytes(out_, offset, data);
  }
  Status write_zero(std::uint64_t offset, std::uint64_t length) override {
    return out_.write_zero(offset, length);
  }

 private:
  ExtentSink& out_;
};

std::unique_ptr<UnitSink> unit_sink_for(ExtentSink& out, const DecodeOptions& options) {
  if (options.units != nullptr) return options.units->sink_for(out);
  return std::make_unique<SerialUnitSink>(out);
}

// A raw disk is its file: the holes the file reports are zero extents, the
// rest is read in pieces of kRawChunk through the UnitSink (so a parallel one
// reads ahead on other threads) and split into data and zero blocks.
Status write_raw_disk(const RandomAccessSource& file, UnitSink& out) {
  const std::uint64_t size = file.size();
  std::uint64_t offset = 0;
  while (offset < size) {
    const auto range = file.data_range_from(offset);
    // A source that reports nonsense is read in full from here on.
    const bool sane = range.start >= offset && range.start <= range.end && range.end <= size &&
                      (range.start < range.end || range.start == size);
    const std::uint64_t start = sane ? range.start : offset;
    const std::uint64_t end = sane ? range.end : size;
    if (start > offset) IMAGELIB_RETURN_IF_ERROR(out.write_zero(offset, start - offset));
    for (std::uint64_t piece = start; piece < end; piece += kRawChunk) {
      IMAGELIB_RETURN_IF_ERROR(out.write_stored(file, piece, piece, std::min(kRawChunk, end - piece)));
    }
    offset = end;
  }
  return {};
}

Result<Decoded> decode_raw(const RandomAccessSource& file, ExtentSink& out,
                           const DecodeLimits& limits, const DecodeOptions& options) {
  if (file.size() > limits.max_virtual_size) return size_above_cap("raw", file.size(), limits);
  ZeroBlockSplitter split(out);
  std::unique_ptr<UnitSink> units = unit_sink_for(split, options);
  const Status written = write_raw_disk(file, *units);
  IMAGELIB_RETURN_IF_ERROR(units->finish());
  IMAGELIB_RETURN_IF_ERROR(written);
  return Decoded{"raw", file.size()};
}

// Decodes a container through the UnitSink `options` asks for. An error of
// a unit or write handed out before the reader's own error comes first, as
// when the units are decoded in turn.
Result<std::uint64_t> decode_container(const ContainerFormat& format,
                                       const RandomAccessSource& file, ExtentSink& out,
                                       const DecodeLimits& limits, const DecodeOptions& options) {
  std::unique_ptr<UnitSink> units = unit_sink_for(out, options);
  auto size = format.decode(file, *units, limits);
  IMAGELIB_RETURN_IF_ERROR(units->finish());
  return size;
}

// Reads until `out` is full or the stream ends; returns the bytes read.
Result<std::size_t> read_full(Decompressor& stream, MutableByteView out) {
  std::size_t filled = 0;
  while (filled < out.size()) {
    auto n = stream.read(out.subspan(filled));
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    filled += *n;
  }
  return filled;
}

// A compressed container is spooled into a MemoryBlob (zero pages cost
// nothing) because container readers need random access; the output limit of
// the decompressor bounds it.
Result<Decoded> decode_spooled_container(Decompressor& stream, ByteView head,
                                         const ContainerFormat& expected, Compression compression,
                                         ExtentSink& out, const DecodeLimits& limits,
                                         const DecodeOptions& options) {
  MemoryBlob spool;
  IMAGELIB_RETURN_IF_ERROR(spool.write_at(0, head));
  Bytes chunk(kRawChunk);
  for (;;) {
    auto n = read_full(stream, chunk);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    IMAGELIB_RETURN_IF_ERROR(spool.write_at(spool.size(), ByteView(chunk).first(*n)));
  }
  auto probed = probe_format(spool);
  if (!probed.ok()) return probed.status();
  if (probed->container != &expected) {
    return Status(ErrorCode::kBadImage, std::string(compression_name(compression)) +
                                            ": the decompressed content probes as " +
                                            probed->name() + " in full but as " +
                                            std::string(expected.name) + " from its start");
  }
  auto size = decode_container(expected, spool, out, limits, options);
  if (!size.ok()) return size.status();
  return Decoded{std::string(expected.name) + "+" + std::string(compression_name(compression)),
                 *size};
}

// A compressed raw disk streams straight to `out`, never held whole.
Result<Decoded> decode_streamed_raw(Decompressor& stream, ByteView head, Compression compression,
                                    ExtentSink& out, const DecodeLimits& limits) {
  const std::string format = "raw+" + std::string(compression_name(compression));
  IMAGELIB_RETURN_IF_ERROR(write_raw_bytes(out, 0, head));
  std::uint64_t size = head.size();
  Bytes tail(head.end() - static_cast<std::ptrdiff_t>(std::min(head.size(), kVhdFooterBytes)),
             head.end());
  Bytes chunk(kRawChunk);
  for (;;) {
    auto n = read_full(stream, chunk);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    if (*n > limits.max_virtual_size - size) return size_above_cap(format, size + *n, limits);
    const ByteView piece = ByteView(chunk).first(*n);
    IMAGELIB_RETURN_IF_ERROR(write_raw_bytes(out, size, piece));
    size += *n;
    tail.insert(tail.end(), piece.end() - static_cast<std::ptrdiff_t>(std::min(piece.size(), kVhdFooterBytes)), piece.end());
    if (tail.size() > kVhdFooterBytes) tail.erase(tail.begin(), tail.end() - kVhdFooterBytes);
  }
  // A fixed VHD is a raw disk plus a footer at the end: refuse to guess.
  if (size > kCompressedProbeBytes && tail.size() == kVhdFooterBytes &&
      std::equal(tail.begin(), tail.begin() + 8, "conectix")) {
    return Status(ErrorCode::kBadImage,
                  format + ": the content ends with a VHD footer, so it could be raw or a fixed "
                           "VHD: refusing to guess");
  }
  return Decoded{format, size};
}

Result<Decoded> decode_compressed(const RandomAccessSource& file, Compression compression,
                                  ExtentSink& out, const DecodeLimits& limits,
                                  const DecodeOptions& options) {
  auto stream = options.decompressors != nullptr
                    ? options.decompressors->open(compression, file, limits.max_decompressed_size)
                    : open_decompressor(compression, file, limits.max_decompressed_size);
  Bytes head(kCompressedProbeBytes);
  auto head_size = read_full(*stream, head);
  if (!head_size.ok()) return head_size.status();
  head.resize(*head_size);
  const std::string wrapper(compression_name(compression));
  if (head.empty()) return Status(ErrorCode::kBadImage, wrapper + ": the stream holds no data");
  if (head.size() > limits.max_virtual_size) {
    return size_above_cap("raw+" + wrapper, head.size(), limits);
  }

  MemoryBlob head_blob;
  IMAGELIB_RETURN_IF_ERROR(head_blob.write_at(0, head));
  auto inner = probe_format(head_blob);
  if (!inner.ok()) {
    return Status(ErrorCode::kBadImage, "inside " + wrapper + ": " + inner.status().message());
  }
  if (inner->compression) {
    return Status(ErrorCode::kBadImage, wrapper + ": nested compression (" + inner->name() +
                                            " inside " + wrapper + ") is not accepted");
  }
  if (inner->container != nullptr) {
    return decode_spooled_container(*stream, head, *inner->container, compression, out, limits,
                                    options);
  }
  return decode_streamed_raw(*stream, head, compression, out, limits);
}

// The sinks that compute the digests of DecodeOptions, teed with the output.
class DigestingSink {
 public:
  DigestingSink(ExtentSink& out, const DecodeOptions& options)
      : out_(out), digests_(options.digests), tee_{&out, &hash_, &counter_} {}
  ExtentSink& sink() { return digests_ ? static_cast<ExtentSink&>(tee_) : out_; }

  Result<DecodedImage> finish(Result<Decoded> decoded, const DecodeLimits& limits) {
    if (!decoded.ok()) return decoded.status();
    if (decoded->virtual_size > limits.max_virtual_size) {
      return size_above_cap(decoded->format, decoded->virtual_size, limits);
    }
    if (!digests_) return DecodedImage{decoded->format, decoded->virtual_size, 0, ""};
    return DecodedImage{decoded->format, decoded->virtual_size,
                        counter_.bytes(decoded->virtual_size), hash_.finish(decoded->virtual_size)};
  }

 private:
  ExtentSink& out_;
  bool digests_;
  Sha256Sink hash_;
  NonZeroBlockCounter counter_;
  TeeSink tee_;
};

}  // namespace

Result<DecodedImage> decode_to_sink(const RandomAccessSource& file, ExtentSink& out,
                                    const DecodeLimits& limits, const DecodeOptions& options) {
  auto probed = probe_format(file);
  if (!probed.ok()) return probed.status();
  DigestingSink digesting(out, options);
  if (probed->container != nullptr) {
    auto size = decode_container(*probed->container, file, digesting.sink(), limits, options);
    if (!size.ok()) return size.status();
    return digesting.finish(Decoded{std::string(probed->container->name), *size}, limits);
  }
  if (probed->compression) {
    return digesting.finish(
        decode_compressed(file, *probed->compression, digesting.sink(), limits, options), limits);
  }
  return digesting.finish(decode_raw(file, digesting.sink(), limits, options), limits);
}

Result<DecodedImage> decode_image(const RandomAccessSource& file, Blob& disk,
                                  const DecodeLimits& limits) {
  BlobSink sink(disk);
  auto decoded = decode_to_sink(file, sink, limits);
  if (!decoded.ok()) return decoded.status();
  IMAGELIB_RETURN_IF_ERROR(disk.resize(decoded->virtual_size));
  return decoded;
}

Result<DecodedImage> decode_raw_disk(const RandomAccessSource& file, Blob& disk,
                                     const DecodeLimits& limits) {
  BlobSink sink(disk);
  DigestingSink digesting(sink, DecodeOptions{});
  auto decoded = digesting.finish(decode_raw(file, digesting.sink(), limits, DecodeOptions{}), limits);
  if (!decoded.ok()) return decoded.status();
  IMAGELIB_RETURN_IF_ERROR(disk.resize(decoded->virtual_size));
  return decoded;
}

}  // namespace imagelib
