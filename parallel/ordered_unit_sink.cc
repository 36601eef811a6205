#include "parallel/ordered_unit_sink.h"

#include <utility>

namespace imagelib::parallel {

void OrderedUnitSink::record(Status status) {
  if (error_.ok() && !status.ok()) error_ = std::move(status);
}

bool OrderedUnitSink::write_oldest(bool wait) {
  Pending& oldest = pending_.front();
  if (oldest.decoding) {
    Decoding& decoding = *oldest.decoding;
    std::unique_lock lock(decoding.mutex);
    if (!decoding.done && !wait) return false;
    decoding.done_signal.wait(lock, [&] { return decoding.done; });
    record(decoding.status);
    if (error_.ok()) {
      record(out_.write_data(decoding.unit.guest, ByteView(decoding.bytes).first(decoding.unit.length)));
    }
  } else if (error_.ok()) {
    record(oldest.zero ? out_.write_zero(oldest.offset, oldest.length)
                       : out_.write_data(oldest.offset, oldest.data));
  }
  pending_bytes_ -= oldest.bytes_held;
  pending_.pop_front();
  return true;
}

void OrderedUnitSink::make_room() {
  while (!pending_.empty() && write_oldest(/*wait=*/false)) {
  }
  while (!pending_.empty() && pending_bytes_ > max_pending_bytes_) write_oldest(/*wait=*/true);
}

Status OrderedUnitSink::write_data(std::uint64_t offset, ByteView data) {
  if (!error_.ok()) return error_;
  if (pending_.empty()) {
    record(out_.write_data(offset, data));
    return error_;
  }
  Pending call{.offset = offset, .length = data.size(), .data = Bytes(data.begin(), data.end())};
  call.bytes_held = data.size();
  pending_bytes_ += call.bytes_held;
  pending_.push_back(std::move(call));
  make_room();
  return error_;
}

Status OrderedUnitSink::write_zero(std::uint64_t offset, std::uint64_t length) {
  if (!error_.ok()) return error_;
  if (pending_.empty()) {
    record(out_.write_zero(offset, length));
    return error_;
  }
  pending_.push_back(Pending{.offset = offset, .length = length, .zero = true});
  make_room();
  return error_;
}

Status OrderedUnitSink::write_unit(CompressedUnit unit) {
  if (!error_.ok()) return error_;
  auto decoding = std::make_shared<Decoding>();
  const std::uint64_t held = unit.capacity + unit.compressed.size();
  decoding->unit = std::move(unit);
  pool_.submit([decoding] {
    thread_local UnitDecoder decoder;
    Bytes bytes(decoding->unit.capacity);
    Status status = decoder.decode(decoding->unit, bytes);
    decoding->unit.compressed = Bytes();
    {
      std::lock_guard lock(decoding->mutex);
      decoding->bytes = std::move(bytes);
      decoding->status = std::move(status);
      decoding->done = true;
    }
    decoding->done_signal.notify_all();
  });
  pending_.push_back(Pending{.decoding = std::move(decoding), .bytes_held = held});
  pending_bytes_ += held;
  make_room();
  return error_;
}

Status OrderedUnitSink::finish() {
  while (!pending_.empty()) write_oldest(/*wait=*/true);
  return error_;
}

}  // namespace imagelib::parallel
