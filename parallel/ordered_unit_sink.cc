#include "parallel/ordered_unit_sink.h"

#include <iterator>
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
      record(out_.write_data(decoding.guest, ByteView(decoding.bytes).first(decoding.length)));
    }
    if (oldest.reuse_buffer &&
        spare_bytes_ + decoding.bytes.capacity() <= max_pending_bytes_) {
      spare_bytes_ += decoding.bytes.capacity();
      spare_buffers_.push_back(std::move(decoding.bytes));
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

void OrderedUnitSink::submit(std::shared_ptr<Decoding> decoding, std::uint64_t bytes_held,
                             bool reuse_buffer, std::function<Status(Decoding&)> task) {
  pool_.submit([decoding, task = std::move(task)] {
    // The task fills decoding->bytes, which no other thread touches until
    // `done` is set under the lock.
    Status status = task(*decoding);
    {
      std::lock_guard lock(decoding->mutex);
      decoding->status = std::move(status);
      decoding->done = true;
    }
    decoding->done_signal.notify_all();
  });
  pending_.push_back(
      Pending{.decoding = std::move(decoding), .bytes_held = bytes_held, .reuse_buffer = reuse_buffer});
  pending_bytes_ += bytes_held;
  make_room();
}

Status OrderedUnitSink::write_unit(CompressedUnit unit) {
  if (!error_.ok()) return error_;
  auto decoding = std::make_shared<Decoding>();
  decoding->guest = unit.guest;
  decoding->length = unit.length;
  const std::uint64_t held = unit.capacity + unit.compressed.size();
  auto shared_unit = std::make_shared<CompressedUnit>(std::move(unit));
  submit(std::move(decoding), held, /*reuse_buffer=*/false, [shared_unit](Decoding& out) {
    thread_local UnitDecoder decoder;
    out.bytes.resize(shared_unit->capacity);
    Status status = decoder.decode(*shared_unit, out.bytes);
    shared_unit->compressed = Bytes();
    return status;
  });
  return error_;
}

Status OrderedUnitSink::write_stored(const RandomAccessSource& in, std::uint64_t host,
                                     std::uint64_t guest, std::uint64_t length) {
  if (!error_.ok()) return error_;
  auto decoding = std::make_shared<Decoding>();
  decoding->guest = guest;
  decoding->length = length;
  // The newest spare buffer large enough (spares are few: at most
  // max_pending_bytes of them).
  for (auto spare = spare_buffers_.rbegin(); spare != spare_buffers_.rend(); ++spare) {
    if (spare->capacity() < length) continue;
    spare_bytes_ -= spare->capacity();
    decoding->bytes = std::move(*spare);
    spare_buffers_.erase(std::next(spare).base());
    break;
  }
  submit(std::move(decoding), length, /*reuse_buffer=*/true, [&in, host](Decoding& out) {
    out.bytes.resize(out.length);
    return in.read_at(host, out.bytes);
  });
  return error_;
}

Status OrderedUnitSink::finish() {
  while (!pending_.empty()) write_oldest(/*wait=*/true);
  return error_;
}

OrderedUnitSink::~OrderedUnitSink() {
  for (const Pending& call : pending_) {
    if (!call.decoding) continue;
    std::unique_lock lock(call.decoding->mutex);
    call.decoding->done_signal.wait(lock, [&] { return call.decoding->done; });
  }
}

}  // namespace imagelib::parallel
