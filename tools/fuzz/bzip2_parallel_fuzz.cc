// libFuzzer target for the parallel bzip2 decompressor (parallel/
// bzip2_decompressor): on any input it must end as the serial decoder does
// (the same bytes and success, or the same error), and before an error hand
// out only the serial decoder's bytes, at most one read more of them.
// Anything else is a finding.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "parallel/bzip2_decompressor.h"
#include "reference/base/blob.h"

namespace {

constexpr std::size_t kPiece = 64 * 1024;

struct Outcome {
  imagelib::Bytes bytes;
  std::string error;
};

Outcome read_all(imagelib::Decompressor& stream) {
  Outcome outcome;
  imagelib::Bytes buffer(kPiece);
  for (;;) {
    auto n = stream.read(buffer);
    if (!n.ok()) {
      outcome.error = n.status().message();
      return outcome;
    }
    if (*n == 0) return outcome;
    outcome.bytes.insert(outcome.bytes.end(), buffer.begin(),
                         buffer.begin() + static_cast<std::ptrdiff_t>(*n));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  imagelib::MemoryBlob file;
  if (!file.write_at(0, imagelib::ByteView(data, size)).ok()) return 0;
  constexpr std::uint64_t kLimit = 16 * imagelib::kMiB;
  auto serial = imagelib::open_decompressor(imagelib::Compression::kBzip2, file, kLimit);
  const Outcome expected = read_all(*serial);
  static imagelib::parallel::ThreadPool pool(2);
  auto parallel = imagelib::parallel::open_parallel_bzip2(
      pool, file, kLimit, {.blocks_in_flight = 2, .block_buffer_bytes = 4096});
  const Outcome got = read_all(*parallel);
  if (got.error != expected.error) std::abort();
  if (expected.error.empty() && got.bytes != expected.bytes) std::abort();
  if (got.bytes.size() < expected.bytes.size() ||
      got.bytes.size() > expected.bytes.size() + kPiece ||
      !std::equal(expected.bytes.begin(), expected.bytes.end(), got.bytes.begin())) {
    std::abort();
  }
  return 0;
}
