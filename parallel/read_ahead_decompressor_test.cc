// Reading ahead changes nothing a reader sees: for gzip and zstd streams,
// whole, truncated anywhere, corrupt or over the output limit, and whatever
// the pieces' size and number, it hands out the wrapped decompressor's bytes
// and ends with its status; dropping it half-read stops its task. Before an
// error, how many bytes come out depends on the sizes of the reads, in the
// serial decoder too (a read that fails hands out nothing): there the bytes
// must agree as far as both go.
#include "parallel/read_ahead_decompressor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "reference/base/blob.h"
#include "reference/base/rng.h"
#include "reference/formats/compress_for_test.h"

namespace imagelib::parallel {
namespace {

// Pieces of 48 KiB: zeros, random bytes or repetitive text.
Bytes content(std::uint64_t seed) {
  Rng rng(seed);
  Bytes bytes;
  for (int piece = 0; piece < 24; ++piece) {
    const auto kind = rng.uniform(3);
    for (std::size_t i = 0; i < 48 * 1024; ++i) {
      bytes.push_back(kind == 0   ? std::uint8_t{0}
                      : kind == 1 ? static_cast<std::uint8_t>(rng.next_u64())
                                  : static_cast<std::uint8_t>("a disk image "[i % 13]));
    }
  }
  return bytes;
}

struct Outcome {
  Bytes bytes;
  Status status;
};

// Reads with sizes that vary from call to call, as the decode's readers do not.
Outcome read_to_end(Decompressor& stream, Rng& sizes) {
  Outcome outcome;
  for (;;) {
    Bytes piece(1 + sizes.uniform(150 * 1000));
    auto n = stream.read(piece);
    if (!n.ok()) {
      outcome.status = n.status();
      return outcome;
    }
    if (*n == 0) return outcome;
    outcome.bytes.insert(outcome.bytes.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

class ReadAheadTest : public ::testing::TestWithParam<Compression> {
 protected:
  void expect_same(const Bytes& file, const ReadAhead& shape, std::uint64_t max_output = 1ull << 40) {
    const BytesSource source(file);
    Rng sizes(file.size());
    auto serial = open_decompressor(GetParam(), source, max_output);
    const Outcome expected = read_to_end(*serial, sizes);
    auto ahead = read_ahead(pool_, open_decompressor(GetParam(), source, max_output), shape);
    const Outcome got = read_to_end(*ahead, sizes);
    EXPECT_EQ(got.status.ok(), expected.status.ok());
    EXPECT_EQ(got.status.message(), expected.status.message());
    EXPECT_EQ(ahead->produced(), got.bytes.size());
    if (expected.status.ok()) {
      EXPECT_TRUE(got.bytes == expected.bytes) << got.bytes.size() << " bytes against " << expected.bytes.size();
      return;
    }
    const std::size_t common = std::min(got.bytes.size(), expected.bytes.size());
    EXPECT_TRUE(std::equal(got.bytes.begin(), got.bytes.begin() + static_cast<std::ptrdiff_t>(common),
                           expected.bytes.begin()));
  }

  ThreadPool pool_{2};
};

TEST_P(ReadAheadTest, WholeStreamsWhateverThePieces) {
  const Bytes disk = content(1);
  const Bytes file = testing::compress_for_test(GetParam(), disk);
  for (const ReadAhead shape : {ReadAhead{}, ReadAhead{.piece_bytes = 4096, .pieces = 2},
                                ReadAhead{.piece_bytes = 64 * 1024, .pieces = 2},
                                ReadAhead{.piece_bytes = 100 * 1000, .pieces = 5}}) {
    SCOPED_TRACE(std::to_string(shape.piece_bytes) + " x " + std::to_string(shape.pieces));
    expect_same(file, shape);
  }
  const BytesSource source(file);
  Rng sizes(7);
  auto ahead = read_ahead(pool_, open_decompressor(GetParam(), source, disk.size()), {});
  const Outcome got = read_to_end(*ahead, sizes);
  ASSERT_TRUE(got.status.ok()) << got.status.to_string();
  EXPECT_TRUE(got.bytes == disk);
}

TEST_P(ReadAheadTest, TruncatedCorruptAndOverTheLimit) {
  const Bytes file = testing::compress_for_test(GetParam(), content(2));
  const ReadAhead shape{.piece_bytes = 64 * 1024, .pieces = 3};
  Rng rng(3);
  for (int sample = 0; sample < 16; ++sample) {
    const auto cut = rng.uniform(file.size());
    SCOPED_TRACE("truncated to " + std::to_string(cut));
    expect_same(Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut)), shape);
  }
  for (int sample = 0; sample < 16; ++sample) {
    Bytes corrupt = file;
    const auto at = rng.uniform(corrupt.size());
    corrupt[at] = static_cast<std::uint8_t>(corrupt[at] ^ (1u + rng.uniform(255)));
    SCOPED_TRACE("byte " + std::to_string(at) + " changed");
    expect_same(corrupt, shape);
  }
  expect_same(file, shape, 300 * 1000);
}

TEST_P(ReadAheadTest, DroppedHalfReadStopsItsTask) {
  const Bytes file = testing::compress_for_test(GetParam(), content(4));
  const BytesSource source(file);
  for (int reads = 0; reads < 3; ++reads) {
    auto ahead = read_ahead(pool_, open_decompressor(GetParam(), source, 1ull << 40),
                            {.piece_bytes = 32 * 1024, .pieces = 2});
    Bytes piece(10 * 1000);
    for (int i = 0; i < reads; ++i) ASSERT_TRUE(ahead->read(piece).ok());
  }  // each destructor waits for its task; ASan sees any use after free
}

INSTANTIATE_TEST_SUITE_P(GzipAndZstd, ReadAheadTest,
                         ::testing::Values(Compression::kGzip, Compression::kZstd),
                         [](const ::testing::TestParamInfo<Compression>& param) {
                           return std::string(compression_name(param.param));
                         });

}  // namespace
}  // namespace imagelib::parallel
