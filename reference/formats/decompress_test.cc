#include "reference/formats/decompress.h"

#include <gtest/gtest.h>

#include "reference/base/blob.h"
#include "reference/formats/compress_for_test.h"

namespace imagelib {
namespace {

using testing::compress_for_test;

constexpr Compression kAll[] = {Compression::kGzip, Compression::kBzip2, Compression::kXz,
                                Compression::kZstd};

Bytes pattern(std::size_t size) {
  Bytes data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>((i * 7 + i / 4096) % 251);
  return data;
}

MemoryBlob blob_of(ByteView data) {
  MemoryBlob blob;
  EXPECT_TRUE(blob.write_at(0, data).ok());
  return blob;
}

Result<Bytes> decompress_all(Compression c, const RandomAccessSource& in, std::uint64_t limit) {
  auto stream = open_decompressor(c, in, limit);
  Bytes out;
  Bytes chunk(100000);
  for (;;) {
    auto n = stream->read(chunk);
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

class EachCodec : public ::testing::TestWithParam<Compression> {};

TEST_P(EachCodec, DetectsItsMagicAndRoundTrips) {
  const Bytes data = pattern(3 * 1024 * 1024 + 17);
  const Bytes packed = compress_for_test(GetParam(), data);
  EXPECT_EQ(detect_compression(packed), GetParam());
  auto out = decompress_all(GetParam(), blob_of(packed), 1ull << 40);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(*out, data);
}

TEST_P(EachCodec, ConcatenatedStreamsDecodeOneAfterAnother) {
  const Bytes first = pattern(5000);
  const Bytes second = to_bytes("and then some more text");
  Bytes packed = compress_for_test(GetParam(), first);
  const Bytes tail = compress_for_test(GetParam(), second);
  packed.insert(packed.end(), tail.begin(), tail.end());
  auto out = decompress_all(GetParam(), blob_of(packed), 1ull << 40);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  Bytes expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  EXPECT_EQ(*out, expected);
}

TEST_P(EachCodec, EveryTruncationIsRefusedWithAReason) {
  const Bytes packed = compress_for_test(GetParam(), pattern(70000));
  for (std::size_t cut = 1; cut < packed.size(); cut += std::max<std::size_t>(1, packed.size() / 97)) {
    auto out = decompress_all(GetParam(), blob_of(ByteView(packed).first(cut)), 1ull << 40);
    ASSERT_FALSE(out.ok()) << "cut at " << cut;
    EXPECT_EQ(out.status().code(), ErrorCode::kBadImage);
    EXPECT_EQ(out.status().message().rfind(std::string(compression_name(GetParam())) + ": ", 0), 0u)
        << out.status().message();
  }
}

TEST_P(EachCodec, OutputAboveTheLimitIsRefused) {
  const Bytes zeros(8 * 1024 * 1024, 0);
  const Bytes packed = compress_for_test(GetParam(), zeros);
  auto out = decompress_all(GetParam(), blob_of(packed), 1024 * 1024);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("exceeds the limit"), std::string::npos);
}

TEST_P(EachCodec, TrailingGarbageIsRefused) {
  Bytes packed = compress_for_test(GetParam(), pattern(1000));
  const Bytes garbage = to_bytes("garbage after the stream");
  packed.insert(packed.end(), garbage.begin(), garbage.end());
  auto out = decompress_all(GetParam(), blob_of(packed), 1ull << 40);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), ErrorCode::kBadImage);
}

INSTANTIATE_TEST_SUITE_P(Codecs, EachCodec, ::testing::ValuesIn(kAll),
                         [](const auto& param_info) { return std::string(compression_name(param_info.param)); });

TEST(DetectCompression, PlainDataIsNotCompressed) {
  EXPECT_FALSE(detect_compression(to_bytes("hello world")));
  EXPECT_FALSE(detect_compression(to_bytes("BZh0")));  // bzip2 needs a block size digit
  EXPECT_FALSE(detect_compression(ByteView{}));
}

}  // namespace
}  // namespace imagelib
