// The multi-threaded xz decompressor is the serial one: on multi-block
// streams (as xz -T writes them), concatenated streams with padding, every
// sampled truncation and corrupt copy, a memory budget too small for threads
// and an output limit, it hands out the same bytes and ends with the same
// status as open_decompressor.
#include "parallel/xz_decompressor.h"

#include <gtest/gtest.h>
#include <lzma.h>

#include <algorithm>
#include <string>

#include "reference/base/blob.h"
#include "reference/base/rng.h"

namespace imagelib::parallel {
namespace {

constexpr std::size_t kBlock = 64 * 1024;

// 16 pieces of kBlock bytes: zeros, random bytes or repetitive text.
Bytes disk_content(std::uint64_t seed) {
  Rng rng(seed);
  Bytes content;
  for (int piece = 0; piece < 16; ++piece) {
    const auto kind = rng.uniform(3);
    for (std::size_t i = 0; i < kBlock; ++i) {
      content.push_back(kind == 0   ? std::uint8_t{0}
                        : kind == 1 ? static_cast<std::uint8_t>(rng.next_u64())
                                    : static_cast<std::uint8_t>("image library "[i % 14]));
    }
  }
  return content;
}

// One xz stream cut into blocks of kBlock input bytes, as xz -T does.
Bytes xz_blocks(ByteView data) {
  lzma_stream stream = LZMA_STREAM_INIT;
  lzma_mt options{};
  options.threads = 1;
  options.block_size = kBlock;
  options.preset = 1;
  options.check = LZMA_CHECK_CRC64;
  EXPECT_EQ(lzma_stream_encoder_mt(&stream, &options), LZMA_OK);
  Bytes out(lzma_stream_buffer_bound(data.size()));
  stream.next_in = data.data();
  stream.avail_in = data.size();
  stream.next_out = out.data();
  stream.avail_out = out.size();
  EXPECT_EQ(lzma_code(&stream, LZMA_FINISH), LZMA_STREAM_END);
  out.resize(out.size() - stream.avail_out);
  lzma_end(&stream);
  return out;
}

struct Outcome {
  Bytes bytes;
  Status status;
};

Outcome read_to_end(Decompressor& stream) {
  Outcome outcome;
  Bytes piece(100 * 1000);
  for (;;) {
    auto n = stream.read(piece);
    if (!n.ok()) {
      outcome.status = n.status();
      return outcome;
    }
    if (*n == 0) return outcome;
    outcome.bytes.insert(outcome.bytes.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

void expect_same_as_serial(const Bytes& file, const XzThreads& threads = {},
                           std::uint64_t max_output = std::uint64_t{1} << 40) {
  const BytesSource source(file);
  auto serial = open_decompressor(Compression::kXz, source, max_output);
  auto parallel = open_parallel_xz(threads, source, max_output);
  const Outcome expected = read_to_end(*serial);
  const Outcome got = read_to_end(*parallel);
  EXPECT_EQ(got.status.ok(), expected.status.ok());
  EXPECT_EQ(got.status.message(), expected.status.message());
  EXPECT_TRUE(got.bytes == expected.bytes) << got.bytes.size() << " bytes against " << expected.bytes.size();
}

TEST(ParallelXz, DecodesMultiBlockStreamsAsTheSerialDecoder) {
  const Bytes content = disk_content(1);
  const Bytes file = xz_blocks(content);
  const BytesSource source(file);
  auto parallel = open_parallel_xz({}, source, content.size());
  const Outcome got = read_to_end(*parallel);
  ASSERT_TRUE(got.status.ok()) << got.status.to_string();
  EXPECT_TRUE(got.bytes == content);
  expect_same_as_serial(file);
}

TEST(ParallelXz, ConcatenatedStreamsAndPadding) {
  Bytes file = xz_blocks(disk_content(2));
  const Bytes second = xz_blocks(disk_content(3));
  file.insert(file.end(), 8, 0);  // stream padding: a multiple of four zero bytes
  file.insert(file.end(), second.begin(), second.end());
  expect_same_as_serial(file);
  file.push_back(0);  // padding that is not a multiple of four
  expect_same_as_serial(file);
}

TEST(ParallelXz, TruncatedAndCorruptCopies) {
  const Bytes file = xz_blocks(disk_content(4));
  Rng rng(5);
  for (int sample = 0; sample < 24; ++sample) {
    const auto cut = rng.uniform(file.size());
    SCOPED_TRACE("truncated to " + std::to_string(cut));
    expect_same_as_serial(Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut)));
  }
  for (int sample = 0; sample < 24; ++sample) {
    Bytes corrupt = file;
    const auto at = rng.uniform(corrupt.size());
    corrupt[at] = static_cast<std::uint8_t>(corrupt[at] ^ (1u + rng.uniform(255)));
    SCOPED_TRACE("byte " + std::to_string(at) + " changed");
    expect_same_as_serial(corrupt);
  }
}

TEST(ParallelXz, OneThreadWhenTheBudgetIsTooSmallAndTheOutputLimitHolds) {
  const Bytes content = disk_content(6);
  const Bytes file = xz_blocks(content);
  expect_same_as_serial(file, XzThreads{.threads = 2, .memory_for_threads = 1});
  expect_same_as_serial(file, {}, content.size() / 2);
}

}  // namespace
}  // namespace imagelib::parallel
