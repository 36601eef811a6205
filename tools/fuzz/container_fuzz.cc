// libFuzzer target for one container reader, chosen at build time
// (IMAGELIB_FUZZ_FORMAT names its accessor, IMAGELIB_FUZZ_HEADER its header;
// see CMakeLists.txt). Any input must decode within the ContainerFormat
// contract or be refused with kBadImage; a crash, a leak, UB, a hang or
// another error code is a finding.
#include <cstdint>
#include <cstdlib>

#include "reference/base/blob.h"
#include "reference/formats/decode.h"
#include "reference/formats/decode_unit.h"
#include IMAGELIB_FUZZ_HEADER

namespace {

// Checks the contract: extents in order, contiguous, covering the disk.
class ContractSink final : public imagelib::ExtentSink {
 public:
  imagelib::Status write_data(std::uint64_t offset, imagelib::ByteView data) override {
    return advance(offset, data.size());
  }
  imagelib::Status write_zero(std::uint64_t offset, std::uint64_t length) override {
    return advance(offset, length);
  }
  std::uint64_t end = 0;

 private:
  imagelib::Status advance(std::uint64_t offset, std::uint64_t length) {
    if (offset != end || length == 0) std::abort();
    end += length;
    return {};
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  imagelib::MemoryBlob file;
  if (!file.write_at(0, imagelib::ByteView(data, size)).ok()) return 0;
  const imagelib::ContainerFormat& format = imagelib::IMAGELIB_FUZZ_FORMAT();
  if (!format.matches(file)) return 0;
  ContractSink sink;
  imagelib::SerialUnitSink units(sink);
  // A small cap keeps each run fast; the readers' checks are the same.
  auto decoded = format.decode(file, units, imagelib::DecodeLimits{.max_virtual_size = 64 * imagelib::kMiB,
                                                                  .max_decompressed_size = 64 * imagelib::kMiB});
  if (decoded.ok() && *decoded != sink.end) std::abort();
  if (!decoded.ok() && decoded.status().code() != imagelib::ErrorCode::kBadImage) std::abort();
  return 0;
}
