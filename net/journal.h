// Journal: an append-only, fsynced log of every input the core received
// (API requests, FTP session events with their bytes, job deadlines), so
// that `imagelib serve --data-dir` rebuilds the same state after a restart
// or a crash by replaying them into a fresh, deterministic core. Record
// framing: u32 header length, JSON header, u64 payload length, payload
// (little-endian). A torn last record (a crash mid-write) is cut off when the
// journal is opened: it was never acknowledged. The file is mode 0600: it
// holds client secrets and, through the inputs and the seed, everything the
// core derives from them (FTP passwords, tokens). Compaction writes a new
// journal beside the old one and installs it with fsync, rename and a
// directory fsync, so a crash leaves either the old or the new one whole.
// Single-threaded.
// Callers: LibraryHost, JournaledFtpSession, journal_replay, tests.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "reference/base/bytes.h"
#include "reference/base/status.h"

namespace imagelib::net {

class Journal {
 public:
  using Visitor = std::function<Status(const nlohmann::json& header, ByteView payload)>;

  // Reads every complete record of the journal at `path` (if it exists) in
  // order, cuts off a torn tail, and opens the file for appending.
  static Result<std::unique_ptr<Journal>> open(const std::string& path, const Visitor& visit);
  // A new, empty journal at `path` (replacing any file there), for writing a
  // compacted journal; install_as() puts it in place.
  static Result<std::unique_ptr<Journal>> create(const std::string& path);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one record; with `sync`, it (and everything before it) is on
  // disk when this returns.
  Status append(const nlohmann::json& header, ByteView payload = {}, bool sync = true);
  std::uint64_t records() const { return records_; }
  // Syncs this journal and renames it to `target` (atomically replacing the
  // journal there), then syncs the directory. Appends continue at `target`.
  Status install_as(const std::string& target);

 private:
  Journal(int fd, std::string path, std::uint64_t records)
      : fd_(fd), path_(std::move(path)), records_(records) {}

  int fd_;
  std::string path_;
  std::uint64_t records_;
};

}  // namespace imagelib::net
