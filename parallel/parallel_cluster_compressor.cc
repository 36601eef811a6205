#include "parallel/parallel_cluster_compressor.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace imagelib::parallel {
namespace {

// The batch being compressed, shared by the caller and its helper tasks;
// it lives on the caller's stack until every helper has finished.
struct Batch {
  std::span<const Bytes> clusters;
  std::span<Bytes> results;
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::condition_variable helpers_done;
  std::size_t helpers_running = 0;

  // Deflates clusters until none is left to take.
  void work(ClusterDeflater& deflater) {
    for (std::size_t i = next.fetch_add(1); i < clusters.size(); i = next.fetch_add(1)) {
      deflater.deflate(clusters[i], results[i]);
    }
  }
};

}  // namespace

ParallelClusterCompressor::ParallelClusterCompressor(ThreadPool& pool) : pool_(pool) {
  // The caller works too, so it and the pool's threads less one keep every
  // core busy.
  const std::size_t participants = std::max<std::size_t>(pool.size(), 1);
  for (std::size_t i = 0; i < participants; ++i) deflaters_.push_back(std::make_unique<ClusterDeflater>());
}

void ParallelClusterCompressor::compress(std::span<const Bytes> clusters,
                                         std::span<Bytes> results) {
  Batch batch;
  batch.clusters = clusters;
  batch.results = results;
  const std::size_t helpers = std::min(deflaters_.size() - 1, clusters.empty() ? 0 : clusters.size() - 1);
  batch.helpers_running = helpers;
  for (std::size_t h = 1; h <= helpers; ++h) {
    ClusterDeflater* deflater = deflaters_[h].get();
    pool_.submit([&batch, deflater] {
      batch.work(*deflater);
      const std::lock_guard lock(batch.mutex);
      --batch.helpers_running;
      batch.helpers_done.notify_all();
    });
  }
  batch.work(*deflaters_[0]);
  std::unique_lock lock(batch.mutex);
  batch.helpers_done.wait(lock, [&batch] { return batch.helpers_running == 0; });
}

}  // namespace imagelib::parallel
