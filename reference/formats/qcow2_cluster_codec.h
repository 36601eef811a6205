// Compression of single qcow2 clusters, as qemu does it
// (block/qcow2-threads.c): raw deflate with a 4 KiB window (zlib, windowBits
// -12) or one zstd frame per cluster. Used by the qcow2 reader and writer.
// Not thread-safe; one inflater or deflater per thread. A ClusterCompressor
// deflates the writer's clusters a batch at a time: SerialClusterCompressor
// is the definition, parallel/ spreads a batch over several threads.
#pragma once

#include <span>

#include "reference/base/bytes.h"
#include "reference/formats/qcow2_header.h"

namespace imagelib {

class Qcow2ClusterInflater {
 public:
  Qcow2ClusterInflater();
  ~Qcow2ClusterInflater();
  Qcow2ClusterInflater(const Qcow2ClusterInflater&) = delete;
  Qcow2ClusterInflater& operator=(const Qcow2ClusterInflater&) = delete;

  // Fills all of `cluster` from `compressed` (which may run past the end of
  // the stream: its length is only known to the sector). kBadImage if the
  // stream is corrupt or yields fewer bytes than a cluster.
  Status inflate(Qcow2Compression codec, ByteView compressed, MutableByteView cluster);

 private:
  struct Codecs;
  Codecs* codecs_;
};

// Raw deflate of one cluster at qemu's settings (Z_DEFAULT_COMPRESSION,
// memLevel 9) into `out` (whose capacity is reused); `out` is left empty
// when the result is not smaller than the cluster (qemu then stores the
// cluster uncompressed). A deflater keeps its zlib state from cluster to
// cluster; the output is the same as a fresh one's.
class ClusterDeflater {
 public:
  ClusterDeflater();
  ~ClusterDeflater();
  ClusterDeflater(const ClusterDeflater&) = delete;
  ClusterDeflater& operator=(const ClusterDeflater&) = delete;

  void deflate(ByteView cluster, Bytes& out);

 private:
  struct Stream;
  Stream* stream_;
};

// Deflates clusters a batch at a time: results[i] becomes what
// ClusterDeflater::deflate makes of clusters[i] (empty: store it as it is);
// the spans have the same length.
class ClusterCompressor {
 public:
  virtual ~ClusterCompressor() = default;
  virtual void compress(std::span<const Bytes> clusters,
                        std::span<Bytes> results) = 0;
};

// Deflates each cluster in turn, on the calling thread.
class SerialClusterCompressor final : public ClusterCompressor {
 public:
  void compress(std::span<const Bytes> clusters,
                std::span<Bytes> results) override;

 private:
  ClusterDeflater deflater_;
};

}  // namespace imagelib
