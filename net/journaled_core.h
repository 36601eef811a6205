// JournaledCore: the core of `imagelib serve --data-dir`, rebuilt at start
// from the journal in the data directory and kept in it from then on.
//
// A journal is a "start" record, then what rebuilds the state it starts
// from, then every input since (net/journal.h, net/library_host.h). The
// first start record provisions the accounts file's accounts; a later one
// (a "generation") is followed by a snapshot of the whole state
// (net/core_snapshot.h). When a replayed journal holds inputs after its
// snapshot, it is compacted at start: a new journal of the next generation
// (a new seed, so the ids, secrets and tokens drawn from then on never
// repeat the old ones; the old tokens stay valid) with a snapshot of the
// replayed state is written beside it and installed with fsync, rename and
// a directory fsync, and the core is rebuilt from it — a crash at any point
// leaves one whole journal. The journal only grows with what happens while
// a server runs.
// Callers: tools/serve_command, net/ tests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "net/accounts_config.h"
#include "net/file_blob_store.h"
#include "net/library_host.h"

namespace imagelib::net {

// How to build a core; the seed of `library` is set by each start record.
struct CoreSetup {
  LibraryOptions library;
  ApiOptions api;
  LibraryHostOptions host;
  std::shared_ptr<BlobStore> store;
  // The accounts and the seed of a first start (no journal yet).
  AccountsConfig accounts;
  std::uint64_t first_seed = 1;
  // The seed of the generation after one with `previous` seed.
  std::function<std::uint64_t(std::uint64_t previous)> next_seed;
  // The key of a new generation's secrets (serve's, from OpenSSL's CSPRNG);
  // unset or nullopt: derived from the generation's seed (serve --seed).
  std::function<std::optional<SecretGenerator::Key>()> new_secret_key;
  // `imagelib serve --repair`: a record that is corrupt or cannot be
  // replayed is moved aside with what follows it (net/journal.h).
  bool repair = false;
};

struct JournaledCore {
  JournaledCore() = default;
  JournaledCore(std::unique_ptr<LibraryHost> new_host, std::vector<ProvisionedClient> provisioned,
                std::uint64_t first_generation, std::uint64_t first_seed)
      : host(std::move(new_host)), clients(std::move(provisioned)), generation(first_generation), seed(first_seed) {}
  JournaledCore(JournaledCore&&) = default;
  JournaledCore& operator=(JournaledCore&&) = default;
  // The core going with the server is not the core dropping its blobs: their
  // files stay for the next start (FileBlobStore::keep_every_file).
  ~JournaledCore() {
    if (blob_files) blob_files->keep_every_file();
  }

  std::unique_ptr<LibraryHost> host;
  std::vector<ProvisionedClient> clients;
  std::uint64_t generation = 0;
  std::uint64_t seed = 0;
  // What opening the journal cut off or moved aside, a line each for the log.
  std::vector<std::string> notes;
  // The blob files the journal's snapshot names (FileBlobStore::collect_garbage).
  std::set<std::uint64_t> named_blob_files;
  // The store, when its blobs are files.
  std::shared_ptr<FileBlobStore> blob_files;
};

// Replays (or starts) the journal at `path`, compacts it when it holds
// inputs after its snapshot or is of an older format, and returns the core
// with the journal attached.
Result<JournaledCore> open_journaled_core(boost::asio::io_context& io, const std::string& path,
                                          const CoreSetup& setup, Timestamp now);

// Creates `path` if needed and makes it private (0700): the data directory
// holds secrets.
Status make_private_directory(const std::string& path);

}  // namespace imagelib::net
