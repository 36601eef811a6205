#include "reference/formats/compress_for_test.h"

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <stdexcept>

namespace imagelib::testing {
namespace {

Bytes gzip(ByteView data) {
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw std::runtime_error("deflateInit2");
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes bzip2(ByteView data) {
  unsigned int length = static_cast<unsigned int>(data.size() + data.size() / 100 + 1024);
  Bytes out(length);
  if (BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(out.data()), &length,
                               reinterpret_cast<char*>(const_cast<std::uint8_t*>(data.data())),
                               static_cast<unsigned int>(data.size()), 9, 0, 0) != BZ_OK) {
    throw std::runtime_error("bzip2");
  }
  out.resize(length);
  return out;
}

Bytes xz(ByteView data) {
  Bytes out(lzma_stream_buffer_bound(data.size()));
  std::size_t position = 0;
  if (lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, data.data(), data.size(), out.data(),
                              &position, out.size()) != LZMA_OK) {
    throw std::runtime_error("xz");
  }
  out.resize(position);
  return out;
}

Bytes zstd(ByteView data) {
  Bytes out(ZSTD_compressBound(data.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error("zstd");
  out.resize(n);
  return out;
}

}  // namespace

Bytes compress_for_test(Compression compression, ByteView data) {
  switch (compression) {
    case Compression::kGzip: return gzip(data);
    case Compression::kBzip2: return bzip2(data);
    case Compression::kXz: return xz(data);
    case Compression::kZstd: return zstd(data);
  }
  throw std::runtime_error("unknown compression");
}

}  // namespace imagelib::testing
