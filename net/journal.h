// Journal: an append-only, fsynced log of every input the core received
// (API requests, FTP session events, job deadlines and ends; an upload's
// bytes by the count the blob file that keeps them holds), so
// that `imagelib serve --data-dir` rebuilds the same state after a restart
// or a crash by replaying them into a fresh, deterministic core. The format,
// what is fsynced when and what a crash can lose: net/journal.md.
//
// Every record carries its lengths and a CRC-32C. When the journal is
// opened, a torn last record (a crash mid-write: never acknowledged) is cut
// off and noted. A record that is corrupt with more after it, or that the
// visitor refuses, stops the open with an error naming the record, its byte
// offset and the way out: opened with `repair`, that record and everything
// after it are moved aside to PATH.bad-OFFSET and the journal ends before it.
// The file is mode 0600: it holds client secrets and, through the inputs
// and the seed, everything the core derives from them (FTP passwords,
// tokens). Compaction writes a new journal beside the old one and installs
// it with fsync, rename and a directory fsync, so a crash leaves either the
// old or the new one whole. Journals of format 1 (no checksums) are read and
// report format() 1; the caller compacts them into the current format.
// Single-threaded. Callers: LibraryHost, JournaledFtpSession,
// open_journaled_core, tests.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/base/bytes.h"
#include "reference/base/status.h"

namespace imagelib::net {

struct JournalOpenOptions {
  // Move a bad record and what follows it aside instead of failing.
  bool repair = false;
};

class Journal {
 public:
  using Visitor = std::function<Status(const nlohmann::json& header, ByteView payload)>;
  static constexpr int kCurrentFormat = 2;

  // Reads every record of the journal at `path` (made if missing) in order,
  // cuts off a torn tail, and opens the file for appending.
  static Result<std::unique_ptr<Journal>> open(const std::string& path, const Visitor& visit,
                                               JournalOpenOptions options = {});
  // A new, empty journal at `path` (replacing any file there), for writing a
  // compacted journal; install_as() puts it in place.
  static Result<std::unique_ptr<Journal>> create(const std::string& path);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one record; with `sync`, it (and everything before it) is on
  // disk when this returns.
  Status append(const nlohmann::json& header, ByteView payload = {}, bool sync = true);
  // Appends a record that counts bytes kept elsewhere (an upload's, kept by
  // reference in its blob file): while no other record comes between, the
  // next one equal but for "at" and `count_field` is added to it instead
  // (the sum, the later "at"). It is written, not synced, before the next
  // other record, or once it counts kCountedRecordLimit, so the journal
  // keeps the order the core saw and a long upload cut by a crash keeps most
  // of what was sent (a client resumes it); a crash before that loses it,
  // and it was never acknowledged.
  static constexpr std::uint64_t kCountedRecordLimit = 16 * 1024 * 1024;
  Status append_counted(nlohmann::json header, const std::string& count_field);
  std::uint64_t records() const { return records_; }
  int format() const { return format_; }
  // What open() did besides reading, one line each for the log: a torn tail
  // cut off, a bad record moved aside.
  const std::vector<std::string>& notes() const { return notes_; }
  // True when open() moved aside a record the visitor had refused: what the
  // visitor built from the records before it may hold part of that record,
  // so the caller rebuilds it by opening the journal again.
  bool moved_a_refused_record() const { return moved_a_refused_record_; }
  // Syncs this journal and renames it to `target` (atomically replacing the
  // journal there), then syncs the directory. Appends continue at `target`.
  Status install_as(const std::string& target);

 private:
  Journal(int fd, std::string path, int format) : fd_(fd), path_(std::move(path)), format_(format) {}
  friend class JournalReader;
  Status write_record(const nlohmann::json& header, ByteView payload, bool sync);
  Status write_counted();

  int fd_;
  std::string path_;
  int format_;
  std::uint64_t records_ = 0;
  std::vector<std::string> notes_;
  bool moved_a_refused_record_ = false;
  // The counted record not yet written, and what it is equal to but for its count and time.
  std::optional<nlohmann::json> counted_;
  nlohmann::json counted_identity_;
};

}  // namespace imagelib::net
