#include "reference/formats/inspect.h"

#include "reference/formats/probe.h"
#include "reference/formats/qcow2.h"
#include "reference/formats/qcow2_header.h"

namespace imagelib {
namespace {

class DiscardSink final : public ExtentSink {
 public:
  Status write_data(std::uint64_t, ByteView) override { return {}; }
  Status write_zero(std::uint64_t, std::uint64_t) override { return {}; }
};

}  // namespace

ImageReport inspect_image(const RandomAccessSource& file, const DecodeLimits& limits) {
  ImageReport report;
  auto probed = probe_format(file);
  report.format = probed.ok() ? probed->name() : "unknown";
  report.compression = "none";
  if (probed.ok() && probed->compression) report.compression = probed->name();
  if (probed.ok() && probed->container == &qcow2_format()) {
    if (auto header = read_qcow2_header(file, limits); header.ok()) {
      report.cluster_size = header->cluster_size();
      report.compression = header->compression == Qcow2Compression::kZstd ? "zstd" : "zlib";
    }
  }
  DiscardSink discard;
  auto decoded = decode_to_sink(file, discard, limits);
  if (!decoded.ok()) {
    report.reason = decoded.status().message();
    return report;
  }
  report.safe = true;
  report.format = decoded->format;
  report.virtual_size = decoded->virtual_size;
  report.disk_size = decoded->disk_size;
  report.sha256 = decoded->sha256;
  return report;
}

}  // namespace imagelib
