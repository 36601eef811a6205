#include "reference/base/blob.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace imagelib {

bool is_all_zero(ByteView data) {
  return std::all_of(data.begin(), data.end(), [](std::uint8_t b) { return b == 0; });
}

Bytes to_bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

Status MemoryBlob::read_at(std::uint64_t offset, MutableByteView out) const {
  if (offset > size_ || out.size() > size_ - offset) {
    return Status(ErrorCode::kOutOfRange, "read past the end of a blob");
  }
  std::uint64_t done = 0;
  while (done < out.size()) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t page = pos / kPageSize;
    const std::uint64_t in_page = pos % kPageSize;
    const std::uint64_t n = std::min<std::uint64_t>(kPageSize - in_page, out.size() - done);
    auto it = pages_.find(page);
    if (it == pages_.end()) {
      std::memset(out.data() + done, 0, n);
    } else {
      std::memcpy(out.data() + done, it->second.data() + in_page, n);
    }
    done += n;
  }
  return {};
}

Status MemoryBlob::write_at(std::uint64_t offset, ByteView data) {
  if (offset + data.size() < offset) return Status(ErrorCode::kOutOfRange, "write offset overflows");
  std::uint64_t done = 0;
  while (done < data.size()) {
    const std::uint64_t pos = offset + done;
    const std::uint64_t page = pos / kPageSize;
    const std::uint64_t in_page = pos % kPageSize;
    const std::uint64_t n = std::min<std::uint64_t>(kPageSize - in_page, data.size() - done);
    const ByteView chunk = data.subspan(done, n);
    auto it = pages_.find(page);
    if (it == pages_.end()) {
      if (!is_all_zero(chunk)) {
        Bytes& bytes = pages_[page];
        bytes.assign(kPageSize, 0);
        std::memcpy(bytes.data() + in_page, chunk.data(), n);
      }
    } else {
      std::memcpy(it->second.data() + in_page, chunk.data(), n);
      if (is_all_zero(it->second)) pages_.erase(it);
    }
    done += n;
  }
  size_ = std::max(size_, offset + data.size());
  return {};
}

Status MemoryBlob::resize(std::uint64_t size) {
  if (size < size_) {
    const std::uint64_t first_cut = (size + kPageSize - 1) / kPageSize;
    pages_.erase(pages_.lower_bound(first_cut), pages_.end());
    if (size % kPageSize != 0) {
      auto it = pages_.find(size / kPageSize);
      if (it != pages_.end()) {
        std::fill(it->second.begin() + static_cast<std::ptrdiff_t>(size % kPageSize),
                  it->second.end(), 0);
        if (is_all_zero(it->second)) pages_.erase(it);
      }
    }
  }
  size_ = size;
  return {};
}

std::vector<Extent> MemoryBlob::data_extents() const {
  std::vector<Extent> extents;
  for (const auto& [page, bytes] : pages_) {
    const std::uint64_t start = page * kPageSize;
    const std::uint64_t length = std::min(kPageSize, size_ - start);
    if (!extents.empty() && extents.back().offset + extents.back().length == start) {
      extents.back().length += length;
    } else {
      extents.push_back({start, length});
    }
  }
  return extents;
}

Status BytesSource::read_at(std::uint64_t offset, MutableByteView out) const {
  if (offset > bytes_.size() || out.size() > bytes_.size() - offset) {
    return Status(ErrorCode::kOutOfRange, "read past the end of " + std::to_string(bytes_.size()) + " bytes");
  }
  std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
  return {};
}

Status BlobSink::write_data(std::uint64_t offset, ByteView data) {
  return blob_.write_at(offset, data);
}

Status BlobSink::write_zero(std::uint64_t offset, std::uint64_t length) {
  // A blob reads zero wherever nothing was written; only the size may grow.
  if (offset + length > blob_.size()) return blob_.resize(offset + length);
  return {};
}

Result<Bytes> read_all(const RandomAccessSource& source) {
  Bytes bytes(source.size());
  IMAGELIB_RETURN_IF_ERROR(source.read_at(0, bytes));
  return bytes;
}

}  // namespace imagelib
