#include "reference/formats/qcow2_writer.h"

#include <algorithm>
#include <cstring>

#include "reference/formats/container.h"
#include "reference/formats/qcow2_header.h"
#include "reference/formats/sinks.h"

namespace imagelib {
namespace {

constexpr std::uint64_t kCopied = std::uint64_t{1} << 63;      // refcount is exactly 1
constexpr std::uint64_t kCompressed = std::uint64_t{1} << 62;
constexpr std::uint64_t kSector = 512;
constexpr std::uint32_t kRefcountOrder = 4;                    // 16-bit refcounts
constexpr std::uint32_t kHeaderLength = 112;                   // as qemu writes it
constexpr std::uint16_t kMaxRefcount = 0xffff;

void put_be64(Bytes& bytes, std::size_t at, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    bytes[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
    value >>= 8;
  }
}

void put_be32(Bytes& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 3; i >= 0; --i) {
    bytes[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
    value >>= 8;
  }
}

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; }

}  // namespace

Qcow2Writer::Qcow2Writer(Blob& out, Qcow2WriteOptions options)
    : out_(out),
      options_(options),
      cluster_(std::uint64_t{1} << options.cluster_bits),
      buffer_(cluster_),
      compressor_(options.compressor != nullptr ? options.compressor : &serial_compressor_),
      refcounts_(1, 1),  // cluster 0: the header
      next_host_(cluster_) {
  if (options_.compress) {
    const std::size_t clusters =
        static_cast<std::size_t>(std::max<std::uint64_t>(1, kQcow2CompressBatchBytes / cluster_));
    batch_.resize(clusters);
    batch_guest_.resize(clusters);
    batch_results_.resize(clusters);
    // Room for every result up front: a compressor's threads then write into
    // it and never allocate.
    for (Bytes& result : batch_results_) result.reserve(cluster_ - 1);
  }
}

Status Qcow2Writer::write_data(std::uint64_t offset, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const std::uint64_t position = offset + done;
    const std::uint64_t guest_cluster = position / cluster_;
    if (has_current_ && guest_cluster < current_) {
      return Status(ErrorCode::kInternal, "qcow2 writer: extents out of order");
    }
    const bool continues_current = has_current_ && guest_cluster == current_;
    if (!options_.compress && !continues_current && position % cluster_ == 0 &&
        data.size() - done >= cluster_) {
      IMAGELIB_RETURN_IF_ERROR(flush_cluster());
      const std::size_t whole = static_cast<std::size_t>((data.size() - done) / cluster_ * cluster_);
      IMAGELIB_RETURN_IF_ERROR(store_plain_clusters(guest_cluster, data.subspan(done, whole)));
      done += whole;
      continue;
    }
    if (!continues_current) {
      IMAGELIB_RETURN_IF_ERROR(flush_cluster());
      current_ = guest_cluster;
      has_current_ = true;
    }
    const std::size_t in_cluster = static_cast<std::size_t>(position % cluster_);
    const std::size_t piece = std::min<std::size_t>(static_cast<std::size_t>(cluster_) - in_cluster,
                                                    data.size() - done);
    std::memcpy(buffer_.data() + in_cluster, data.data() + done, piece);
    done += piece;
  }
  return {};
}

// Unallocated clusters read as zeros: nothing to store.
Status Qcow2Writer::write_zero(std::uint64_t, std::uint64_t) { return {}; }

Status Qcow2Writer::count_reference(std::uint64_t host_offset) {
  const std::uint64_t index = host_offset / cluster_;
  if (refcounts_.size() <= index) refcounts_.resize(index + 1, 0);
  ++refcounts_[index];
  return {};
}

Status Qcow2Writer::flush_cluster() {
  if (!has_current_) return {};
  has_current_ = false;
  if (block_is_zero(buffer_)) return {};
  if (options_.compress) {
    // The cluster joins the batch; the buffer it leaves is zeroed for the next.
    Bytes& slot = batch_[batch_size_];
    slot.resize(cluster_);
    std::swap(slot, buffer_);
    std::fill(buffer_.begin(), buffer_.end(), 0);
    batch_guest_[batch_size_] = current_;
    if (++batch_size_ == batch_.size()) return compress_batch();
    return {};
  }
  IMAGELIB_RETURN_IF_ERROR(store_plain(current_, buffer_));
  std::fill(buffer_.begin(), buffer_.end(), 0);
  return {};
}

Status Qcow2Writer::store_plain(std::uint64_t guest_cluster, ByteView data) {
  const std::uint64_t host = next_host_;
  next_host_ += cluster_;
  IMAGELIB_RETURN_IF_ERROR(out_.write_at(host, data));
  IMAGELIB_RETURN_IF_ERROR(count_reference(host));
  entries_.emplace_back(guest_cluster, kCopied | host);
  return {};
}

// Whole clusters straight from the caller's bytes: each run of non-zero
// clusters goes out in one write (their host clusters are consecutive), with
// no copy through the cluster buffer.
Status Qcow2Writer::store_plain_clusters(std::uint64_t first_guest_cluster, ByteView data) {
  if (!entries_.empty() && first_guest_cluster <= entries_.back().first) {
    return Status(ErrorCode::kInternal, "qcow2 writer: extents out of order");
  }
  const std::size_t cluster = static_cast<std::size_t>(cluster_);
  std::size_t run_start = 0;
  const auto write_run = [&](std::size_t run_end) -> Status {
    if (run_end == run_start) return {};
    const std::uint64_t host = next_host_;
    next_host_ += run_end - run_start;
    IMAGELIB_RETURN_IF_ERROR(out_.write_at(host, data.subspan(run_start, run_end - run_start)));
    for (std::size_t at = run_start; at < run_end; at += cluster) {
      const std::uint64_t cluster_host = host + (at - run_start);
      IMAGELIB_RETURN_IF_ERROR(count_reference(cluster_host));
      entries_.emplace_back(first_guest_cluster + at / cluster, kCopied | cluster_host);
    }
    return {};
  };
  for (std::size_t at = 0; at < data.size(); at += cluster) {
    if (!block_is_zero(data.subspan(at, cluster))) continue;
    IMAGELIB_RETURN_IF_ERROR(write_run(at));
    run_start = at + cluster;
  }
  return write_run(data.size());
}

// Stores the batch in guest order: compressed where deflate made the cluster
// smaller, as it is otherwise.
Status Qcow2Writer::compress_batch() {
  const std::size_t count = batch_size_;
  batch_size_ = 0;
  if (count == 0) return {};
  compressor_->compress(std::span<const Bytes>(batch_.data(), count),
                        std::span<Bytes>(batch_results_.data(), count));
  for (std::size_t i = 0; i < count; ++i) {
    if (!batch_results_[i].empty()) {
      IMAGELIB_RETURN_IF_ERROR(store_compressed(batch_guest_[i], batch_results_[i]));
    } else {
      IMAGELIB_RETURN_IF_ERROR(store_plain(batch_guest_[i], batch_[i]));
    }
  }
  return {};
}

// Compressed clusters are packed back to back, as qemu packs them
// (qcow2_alloc_bytes): one that does not fit in the rest of the current
// host cluster runs on into the next host cluster when that is the next one
// free, and otherwise starts at the next free one. Each host cluster counts
// one reference for every compressed cluster with bytes in it.
Status Qcow2Writer::store_compressed(std::uint64_t guest_cluster, ByteView compressed) {
  const std::uint64_t size = compressed.size();
  const bool current_full = compressed_cursor_ < compressed_end_ &&
                            refcounts_[compressed_cursor_ / cluster_] == kMaxRefcount;
  if (current_full || (compressed_cursor_ + size > compressed_end_ && compressed_end_ != next_host_)) {
    compressed_cursor_ = next_host_;
    compressed_end_ = next_host_;
  }
  while (compressed_cursor_ + size > compressed_end_) {
    compressed_end_ += cluster_;
    next_host_ += cluster_;
  }
  const std::uint64_t host = compressed_cursor_;
  IMAGELIB_RETURN_IF_ERROR(out_.write_at(host, compressed));
  for (std::uint64_t c = host / cluster_; c <= (host + size - 1) / cluster_; ++c) {
    IMAGELIB_RETURN_IF_ERROR(count_reference(c * cluster_));
  }
  compressed_cursor_ += size;
  const unsigned offset_bits = 62 - (options_.cluster_bits - 8);
  const std::uint64_t extra_sectors = (host + size - 1) / kSector - host / kSector;
  entries_.emplace_back(guest_cluster, kCompressed | (extra_sectors << offset_bits) | host);
  return {};
}

Status Qcow2Writer::finish(std::uint64_t virtual_size) {
  IMAGELIB_RETURN_IF_ERROR(flush_cluster());
  IMAGELIB_RETURN_IF_ERROR(compress_batch());
  return write_metadata(virtual_size);
}

Status Qcow2Writer::write_metadata(std::uint64_t virtual_size) {
  const std::uint64_t l2_entries = cluster_ / 8;
  const std::uint64_t l1_size = std::max<std::uint64_t>(1, ceil_div(ceil_div(virtual_size, cluster_), l2_entries));
  if (l1_size * 8 > 32 * kMiB) return Status(ErrorCode::kUnprocessable, "qcow2 writer: disk too large for the cluster size");

  // L2 tables, one per L1 entry that maps anything, after the data.
  Bytes l1(l1_size * 8, 0);
  Bytes l2(cluster_, 0);
  std::size_t i = 0;
  while (i < entries_.size()) {
    const std::uint64_t l1_index = entries_[i].first / l2_entries;
    std::fill(l2.begin(), l2.end(), 0);
    for (; i < entries_.size() && entries_[i].first / l2_entries == l1_index; ++i) {
      put_be64(l2, static_cast<std::size_t>(entries_[i].first % l2_entries * 8), entries_[i].second);
    }
    const std::uint64_t host = next_host_;
    next_host_ += cluster_;
    IMAGELIB_RETURN_IF_ERROR(out_.write_at(host, l2));
    IMAGELIB_RETURN_IF_ERROR(count_reference(host));
    put_be64(l1, static_cast<std::size_t>(l1_index * 8), kCopied | host);
  }
  const std::uint64_t l1_offset = next_host_;
  const std::uint64_t l1_clusters = ceil_div(l1.size(), cluster_);
  IMAGELIB_RETURN_IF_ERROR(out_.write_at(l1_offset, l1));
  for (std::uint64_t c = 0; c < l1_clusters; ++c) IMAGELIB_RETURN_IF_ERROR(count_reference(l1_offset + c * cluster_));
  next_host_ += l1_clusters * cluster_;

  // The refcount table and blocks, which count themselves too.
  const std::uint64_t per_block = cluster_ * 8 / (std::uint64_t{1} << kRefcountOrder);
  const std::uint64_t used = next_host_ / cluster_;
  std::uint64_t blocks = 0;
  std::uint64_t table_clusters = 0;
  for (;;) {
    const std::uint64_t total = used + blocks + table_clusters;
    const std::uint64_t need_blocks = ceil_div(total, per_block);
    const std::uint64_t need_table = ceil_div(need_blocks * 8, cluster_);
    if (need_blocks == blocks && need_table == table_clusters) break;
    blocks = need_blocks;
    table_clusters = need_table;
  }
  const std::uint64_t table_offset = next_host_;
  const std::uint64_t blocks_offset = table_offset + table_clusters * cluster_;
  for (std::uint64_t c = 0; c < table_clusters + blocks; ++c) {
    IMAGELIB_RETURN_IF_ERROR(count_reference(table_offset + c * cluster_));
  }
  next_host_ = blocks_offset + blocks * cluster_;
  refcounts_.resize(next_host_ / cluster_, 0);

  Bytes table(table_clusters * cluster_, 0);
  Bytes block(cluster_, 0);
  for (std::uint64_t b = 0; b < blocks; ++b) {
    std::fill(block.begin(), block.end(), 0);
    for (std::uint64_t k = 0; k < per_block && b * per_block + k < refcounts_.size(); ++k) {
      const std::uint16_t count = refcounts_[b * per_block + k];
      block[k * 2] = static_cast<std::uint8_t>(count >> 8);
      block[k * 2 + 1] = static_cast<std::uint8_t>(count);
    }
    IMAGELIB_RETURN_IF_ERROR(out_.write_at(blocks_offset + b * cluster_, block));
    put_be64(table, static_cast<std::size_t>(b * 8), blocks_offset + b * cluster_);
  }
  IMAGELIB_RETURN_IF_ERROR(out_.write_at(table_offset, table));

  Bytes header(kHeaderLength + 8, 0);  // + the end-of-extensions marker
  put_be32(header, 0, kQcow2Magic);
  put_be32(header, 4, 3);
  put_be32(header, 20, options_.cluster_bits);
  put_be64(header, 24, virtual_size);
  put_be32(header, 36, static_cast<std::uint32_t>(l1_size));
  put_be64(header, 40, l1_offset);
  put_be64(header, 48, table_offset);
  put_be32(header, 56, static_cast<std::uint32_t>(table_clusters));
  put_be32(header, 96, kRefcountOrder);
  put_be32(header, 100, kHeaderLength);
  IMAGELIB_RETURN_IF_ERROR(out_.write_at(0, header));
  return out_.resize(next_host_);
}

}  // namespace imagelib
