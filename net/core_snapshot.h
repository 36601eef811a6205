// CoreSnapshot: the whole state of a LibraryHost — the Library's records,
// the jobs taken but not ended, the API's tokens — as journal records, and
// the reader that turns them back into a host's state. A snapshot names
// each distinct blob once: a blob file of the data directory by a
// "blob_file" record (its file's number and its size; the file is synced and
// kept, and a restart adopts it without reading it), any other blob by a
// "blob" record (its size) and "blob_data" records with its data extents
// (at most 8 MiB each, zeros left out); then one "state" record names blobs
// by number.
// A named file may change after the snapshot only while it is a file in
// incoming/ (uploads append to or replace it); those writes are journaled
// after the snapshot and replayed over it, and nothing before them in the
// replay reads the file's changed bytes (a registration consumes the file,
// a replaced file is written from its start). A compacted journal is a "start" record, a
// snapshot and the inputs that came after it (net/journaled_core).
// Callers: journaled_core, tests. Single-threaded, on the io thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "net/journal.h"
#include "net/library_host.h"

namespace imagelib::net {

// Appends the host's state to `out` (records not synced one by one).
Status write_snapshot(LibraryHost& host, Journal& out);

class SnapshotReader {
 public:
  explicit SnapshotReader(std::shared_ptr<BlobStore> store) : store_(std::move(store)) {}

  static bool is_snapshot_record(const nlohmann::json& header);
  // Takes one snapshot record; the "state" record restores `host`, which
  // must be fresh (nothing replayed or provisioned into it).
  Status read(const nlohmann::json& header, ByteView payload, LibraryHost& host);
  // The blob files the snapshot named (FileBlobStore::collect_garbage keeps them).
  const std::set<std::uint64_t>& named_files() const { return named_files_; }

 private:
  Status restore(const nlohmann::json& state, LibraryHost& host);
  std::shared_ptr<Blob> blob(const nlohmann::json& number) const;

  std::shared_ptr<BlobStore> store_;
  std::map<std::uint64_t, std::shared_ptr<Blob>> blobs_;
  std::set<std::uint64_t> named_files_;
};

}  // namespace imagelib::net
