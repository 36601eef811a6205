// The parallel bzip2 decompressor is the serial one: on random, text,
// zero-heavy and concatenated streams (bzip2 -1 and -9, one block and many),
// with a false magic planted in every block, with trailing zeros or garbage,
// on every truncation and on corrupt copies, and under the output limit, it
// gives read for read the same bytes and the same status as
// open_decompressor, whatever the pipeline's depth and buffers. An error may
// come one read later: the serial decoder, when a read ends where a block
// does, already decodes on past it within that read.
#include "parallel/bzip2_decompressor.h"

#include <bzlib.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "parallel/bzip2_bits.h"

#include "reference/base/blob.h"
#include "reference/base/rng.h"

namespace imagelib::parallel {
namespace {

Bytes bzip2(ByteView data, int level) {
  auto length = static_cast<unsigned int>(data.size() + data.size() / 100 + 1024);
  Bytes out(length);
  std::uint8_t none = 0;  // libbz2 refuses a null source, even of no bytes
  const int rc = BZ2_bzBuffToBuffCompress(
      reinterpret_cast<char*>(out.data()), &length,
      reinterpret_cast<char*>(data.empty() ? &none : const_cast<std::uint8_t*>(data.data())),
      static_cast<unsigned int>(data.size()), level, 0, 0);
  EXPECT_EQ(rc, BZ_OK);
  out.resize(length);
  return out;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

Bytes random_data(std::uint64_t seed, std::size_t size) {
  Rng rng(seed);
  Bytes data(size);
  for (auto& byte : data) byte = static_cast<std::uint8_t>(rng.next_u64());
  return data;
}

Bytes text_data(std::uint64_t seed, std::size_t size) {
  static const char* const kWords[] = {"disk ", "image ",  "qcow2 ",  "cluster ", "the ",
                                       "a ",    "block\n", "stream ", "of ",      "bzip2 "};
  Rng rng(seed);
  Bytes data;
  while (data.size() < size) {
    const std::string word = kWords[rng.uniform(std::size(kWords))];
    data.insert(data.end(), word.begin(), word.end());
  }
  data.resize(size);
  return data;
}

// Runs of zeros (long ones: a bzip2 block of them decodes to megabytes)
// between pieces of text.
Bytes zero_heavy_data(std::uint64_t seed, std::size_t size) {
  Rng rng(seed);
  Bytes data;
  while (data.size() < size) {
    data.resize(data.size() + rng.uniform(3 * kMiB));
    const Bytes text = text_data(rng.next_u64(), rng.uniform(20000));
    data.insert(data.end(), text.begin(), text.end());
  }
  data.resize(size);
  return data;
}

// Random bytes from a set whose bzip2 "used" bitmaps (after the block
// header: 16 bits for the ranges used, then 16 bits for each used range of 16
// byte values) spell a magic: every block then holds a false magic.
Bytes false_magic_data(std::uint64_t seed, std::size_t size, std::uint64_t magic) {
  std::vector<std::uint8_t> values;
  for (unsigned range = 0; range < 16; ++range) {
    const unsigned bitmap =
        range < 3 ? static_cast<unsigned>(magic >> (32 - 16 * range) & 0xffff) : 0x8001u;
    for (unsigned j = 0; j < 16; ++j) {
      if (bitmap >> (15 - j) & 1) values.push_back(static_cast<std::uint8_t>(16 * range + j));
    }
  }
  // No byte repeats the one before, so bzip2's run-length step adds no
  // other values.
  Rng rng(seed);
  Bytes data(size);
  for (std::size_t i = 0; i < size; ++i) {
    do {
      data[i] = values[rng.uniform(values.size())];
    } while (i > 0 && data[i] == data[i - 1]);
  }
  return data;
}

struct Outcome {
  std::vector<std::size_t> reads;  // the size of each read
  Bytes bytes;
  std::string status;  // of the last read
  std::uint64_t produced = 0;

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome read_all(Decompressor& stream, std::size_t piece) {
  Outcome outcome;
  Bytes buffer(piece);
  for (;;) {
    auto n = stream.read(buffer);
    if (!n.ok()) {
      outcome.status = n.status().message();
      break;
    }
    outcome.reads.push_back(*n);
    outcome.bytes.insert(outcome.bytes.end(), buffer.begin(),
                         buffer.begin() + static_cast<std::ptrdiff_t>(*n));
    if (*n == 0) break;
  }
  outcome.produced = stream.produced();
  return outcome;
}

struct PipelineSetup {
  std::size_t threads;
  Bzip2Pipeline pipeline;
  std::size_t piece;
};

const PipelineSetup kSetups[] = {
    {2, {}, 1024 * 1024},
    {3, {.blocks_in_flight = 1, .block_buffer_bytes = 4096}, 100000},
    {1, {.blocks_in_flight = 3, .block_buffer_bytes = 300000}, 65536},
};

void expect_as_serial(const Bytes& file, const std::string& what,
                      std::uint64_t max_output = std::uint64_t{1} << 40,
                      const std::vector<PipelineSetup>& setups = {std::begin(kSetups),
                                                                  std::end(kSetups)}) {
  const BytesSource source(file);
  for (const PipelineSetup& setup : setups) {
    auto serial = open_decompressor(Compression::kBzip2, source, max_output);
    const Outcome expected = read_all(*serial, setup.piece);
    ThreadPool pool(setup.threads);
    auto parallel = open_parallel_bzip2(pool, source, max_output, setup.pipeline);
    const Outcome got = read_all(*parallel, setup.piece);
    ASSERT_EQ(got.status, expected.status) << what << " threads " << setup.threads;
    ASSERT_EQ(got.produced, got.bytes.size()) << what;
    if (expected.status.empty()) {
      ASSERT_EQ(got.produced, expected.produced) << what;
      ASSERT_EQ(got.reads, expected.reads) << what << " threads " << setup.threads;
      ASSERT_TRUE(got.bytes == expected.bytes) << what << " threads " << setup.threads;
      continue;
    }
    // An error may come a read later than the serial decoder gives it, after
    // bytes it decoded in the read it failed.
    ASSERT_GE(got.bytes.size(), expected.bytes.size()) << what;
    ASSERT_LE(got.bytes.size(), expected.bytes.size() + setup.piece) << what;
    ASSERT_TRUE(std::equal(expected.bytes.begin(), expected.bytes.end(), got.bytes.begin()))
        << what;
  }
}

TEST(ParallelBzip2, DecodesAsTheSerialDecoder) {
  const Bytes random = random_data(1, 250000);
  const Bytes text = text_data(2, 1200000);
  const Bytes zeros = zero_heavy_data(3, 4 * kMiB);
  for (int level : {1, 9}) {
    const std::string l = " -" + std::to_string(level);
    expect_as_serial(bzip2(random, level), "random" + l);
    expect_as_serial(bzip2(text, level), "text" + l);
    expect_as_serial(bzip2(zeros, level), "zero-heavy" + l);
    expect_as_serial(bzip2(ByteView(text).first(1000), level), "small" + l);
    expect_as_serial(bzip2({}, level), "empty" + l);
  }
  expect_as_serial(concat({bzip2(random, 1), bzip2({}, 9), bzip2(text, 9), bzip2(random, 3)}),
                   "concatenated streams");
}

TEST(ParallelBzip2, AFalseMagicInEveryBlockChangesNothing) {
  for (std::uint64_t magic : {kBzip2BlockMagic, kBzip2EndMagic}) {
    const Bytes data = false_magic_data(4, 350000, magic);
    const Bytes file = bzip2(data, 1);
    // The planted magic is there, more often than the blocks.
    std::vector<Bzip2Magic> found;
    find_bzip2_magics(file, 0, 0, found);
    ASSERT_GE(found.size(), 2 * (data.size() / 100000));
    expect_as_serial(file, "false magic " + std::to_string(magic));
    expect_as_serial(concat({file, file}), "false magic, two streams");
  }
}

TEST(ParallelBzip2, TrailingZerosAndGarbageAsTheSerialDecoder) {
  const Bytes file = bzip2(text_data(5, 300000), 1);
  expect_as_serial(concat({file, Bytes(1000)}), "zero padding");
  expect_as_serial(concat({file, Bytes(10), to_bytes("x")}), "garbage after zeros");
  expect_as_serial(concat({file, to_bytes("BZh0")}), "a bad header after the stream");
  expect_as_serial(concat({file, to_bytes("BZh9")}), "a header and nothing");
  expect_as_serial(concat({file, to_bytes("garbage")}), "trailing garbage");
  expect_as_serial(to_bytes("BZh9"), "a header only");
}

TEST(ParallelBzip2, EveryTruncationAsTheSerialDecoder) {
  const Bytes file = concat({bzip2(random_data(6, 120000), 1), bzip2(text_data(7, 150000), 1)});
  const std::vector<PipelineSetup> setups = {kSetups[0], kSetups[1]};
  // Every length near the stream and block boundaries, and a sample between.
  std::vector<Bzip2Magic> found;
  find_bzip2_magics(file, 0, 0, found);
  std::vector<std::size_t> lengths;
  for (const auto& magic : found) {
    for (int delta : {0, 1, 5, 6, 7, 10, 11, 12}) {
      lengths.push_back(magic.bit / 8 + static_cast<std::size_t>(delta));
    }
  }
  for (std::size_t length = 0; length < file.size(); length += 9973) lengths.push_back(length);
  for (std::size_t length = file.size() - 12; length < file.size(); ++length)
    lengths.push_back(length);
  for (std::size_t length : lengths) {
    if (length >= file.size()) continue;
    expect_as_serial(Bytes(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(length)),
                     "truncated to " + std::to_string(length), std::uint64_t{1} << 40, setups);
  }
}

TEST(ParallelBzip2, CorruptCopiesAsTheSerialDecoder) {
  const Bytes file = concat({bzip2(text_data(8, 250000), 1), bzip2(random_data(9, 150000), 2)});
  const std::vector<PipelineSetup> setups = {kSetups[0], kSetups[1]};
  Rng rng(10);
  std::vector<Bzip2Magic> found;
  find_bzip2_magics(file, 0, 0, found);
  std::vector<std::size_t> offsets;
  // The headers, block CRCs and combined CRCs, and a sample of the data.
  for (const auto& magic : found) {
    for (int delta : {0, 3, 6, 8, 10, 11}) {
      offsets.push_back(magic.bit / 8 + static_cast<std::size_t>(delta));
    }
  }
  for (int i = 0; i < 20; ++i) offsets.push_back(rng.uniform(file.size()));
  for (std::size_t i = 0; i < 4; ++i) offsets.push_back(i);
  for (std::size_t offset : offsets) {
    if (offset >= file.size()) continue;
    Bytes corrupt = file;
    corrupt[offset] ^= static_cast<std::uint8_t>(1u << rng.uniform(8));
    expect_as_serial(corrupt, "bit flipped at " + std::to_string(offset), std::uint64_t{1} << 40,
                     setups);
  }
}

TEST(ParallelBzip2, OutputLimitAsTheSerialDecoder) {
  const Bytes data = zero_heavy_data(11, 8 * kMiB);
  const Bytes file = concat({bzip2(data, 9), bzip2(text_data(12, 200000), 1)});
  for (std::uint64_t limit :
       {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{500000}, std::uint64_t{data.size()},
        std::uint64_t{data.size() + 200000 - 1}, std::uint64_t{data.size() + 200000}}) {
    expect_as_serial(file, "limit " + std::to_string(limit), limit);
  }
}

TEST(ParallelBzip2, TheFactoryOpensBzip2InParallelAndTheRestAsBefore) {
  ThreadPool pool(2);
  const ParallelDecompressors factory(pool);
  const BytesSource source(bzip2(text_data(13, 1000), 9));
  auto stream = factory.open(Compression::kBzip2, source, 1 << 20);
  auto serial = open_decompressor(Compression::kBzip2, source, 1 << 20);
  EXPECT_EQ(read_all(*stream, 4096), read_all(*serial, 4096));
  const BytesSource not_gzip(to_bytes("BZh9"));
  auto gzip = factory.open(Compression::kGzip, not_gzip, 1 << 20);
  auto serial_gzip = open_decompressor(Compression::kGzip, not_gzip, 1 << 20);
  EXPECT_EQ(read_all(*gzip, 4096), read_all(*serial_gzip, 4096));
}

}  // namespace
}  // namespace imagelib::parallel
