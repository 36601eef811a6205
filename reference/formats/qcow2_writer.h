// Qcow2Writer: an ExtentSink that writes the disk it receives as a qcow2
// (version 3, 16-bit refcounts, no snapshots, no backing file) into a Blob,
// leaving all-zero clusters unallocated and, on request, storing clusters
// raw-deflate compressed where that makes them smaller (as `qemu-img convert
// -c`), packed back to back as qemu packs them. Compressed clusters are
// deflated a batch at a time by a ClusterCompressor (qcow2_cluster_codec.h):
// the options may name one (parallel/ has one that uses several threads);
// the file is the same whichever does it. Extents must arrive in ascending
// order; finish() then writes the L2 tables, the L1 table, the refcounts and
// the header. Used by write_qcow2_file (convert.h) for `imagelib convert -O
// qcow2` and snapshots. Not thread-safe.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "reference/base/blob.h"
#include "reference/formats/qcow2_cluster_codec.h"

namespace imagelib {

struct Qcow2WriteOptions {
  std::uint32_t cluster_bits = 16;  // 9-21; 64 KiB like qemu-img
  bool compress = false;            // raw deflate, qemu's compression_type zlib
  // Deflates the clusters when `compress`; null: a SerialClusterCompressor.
  // Must outlive the writer.
  ClusterCompressor* compressor = nullptr;
};

// The bytes of clusters the writer hands its ClusterCompressor at once.
inline constexpr std::uint64_t kQcow2CompressBatchBytes = std::uint64_t{2} << 20;

class Qcow2Writer final : public ExtentSink {
 public:
  Qcow2Writer(Blob& out, Qcow2WriteOptions options);

  Status write_data(std::uint64_t offset, ByteView data) override;
  Status write_zero(std::uint64_t offset, std::uint64_t length) override;
  // Completes the file for a disk of `virtual_size` bytes.
  Status finish(std::uint64_t virtual_size);

 private:
  Status flush_cluster();
  Status store_plain(std::uint64_t guest_cluster, ByteView data);
  Status store_plain_clusters(std::uint64_t first_guest_cluster, ByteView data);
  Status compress_batch();
  Status store_compressed(std::uint64_t guest_cluster, ByteView compressed);
  Status count_reference(std::uint64_t host_offset);
  Status write_metadata(std::uint64_t virtual_size);

  Blob& out_;
  Qcow2WriteOptions options_;
  std::uint64_t cluster_;
  // The guest cluster being filled, and its bytes.
  std::uint64_t current_ = 0;
  bool has_current_ = false;
  Bytes buffer_;
  // Clusters waiting to be compressed: batch_[i] is guest cluster
  // batch_guest_[i], for i below batch_size_.
  SerialClusterCompressor serial_compressor_;
  ClusterCompressor* compressor_;
  std::vector<Bytes> batch_;
  std::vector<std::uint64_t> batch_guest_;
  std::vector<Bytes> batch_results_;
  std::size_t batch_size_ = 0;
  // (guest cluster, L2 entry) of every allocated cluster, ascending.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> entries_;
  // References to each host cluster written so far (data and compressed).
  std::vector<std::uint16_t> refcounts_;
  std::uint64_t next_host_;              // the next free host cluster, in bytes
  std::uint64_t compressed_cursor_ = 0;  // where compressed bytes go next
  std::uint64_t compressed_end_ = 0;     // end of the host cluster they fill
};

}  // namespace imagelib
