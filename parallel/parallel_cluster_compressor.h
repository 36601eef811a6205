// ParallelClusterCompressor: a ClusterCompressor
// (reference/formats/qcow2_cluster_codec.h) that deflates the clusters of a
// batch on a ThreadPool and the calling thread at once, each worker taking
// the next cluster not yet taken, and returns when the batch is done. Each
// result is what SerialClusterCompressor gives, so the qcow2 the writer makes
// is the same file. Memory is the batch the writer hands it. Used by
// `imagelib convert -O qcow2 -c`; one compressor per writer, called from one
// thread.
#pragma once

#include <memory>
#include <vector>

#include "parallel/thread_pool.h"
#include "reference/formats/qcow2_cluster_codec.h"

namespace imagelib::parallel {

class ParallelClusterCompressor final : public ClusterCompressor {
 public:
  explicit ParallelClusterCompressor(ThreadPool& pool);

  void compress(std::span<const Bytes> clusters,
                std::span<Bytes> results) override;

 private:
  ThreadPool& pool_;
  // One deflater per thread that may take part: the caller's, then the
  // pool's helpers'.
  std::vector<std::unique_ptr<ClusterDeflater>> deflaters_;
};

}  // namespace imagelib::parallel
