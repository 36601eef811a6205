// Compression of single qcow2 clusters, as qemu does it
// (block/qcow2-threads.c): raw deflate with a 4 KiB window (zlib, windowBits
// -12) or one zstd frame per cluster. Used by the qcow2 reader and writer.
// Not thread-safe; one instance per decode or encode.
#pragma once

#include <optional>

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

// Raw deflate of one cluster; nullopt when the result would not save at
// least one 512-byte sector (qemu then stores the cluster uncompressed).
std::optional<Bytes> deflate_cluster(ByteView cluster);

}  // namespace imagelib
