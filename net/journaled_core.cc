#include "net/journaled_core.h"

#include <filesystem>
#include <iostream>
#include <system_error>

#include "net/core_snapshot.h"
#include "net/file_blob_store.h"

namespace imagelib::net {
namespace {

using nlohmann::json;

// Journals written since jobs are decoded on workers and their completion
// journaled; a start record without it asks for serial jobs.
constexpr int kJournalVersion = 2;

json clients_to_json(const std::vector<ProvisionedClient>& clients) {
  json out = json::array();
  for (const ProvisionedClient& c : clients) {
    out.push_back({{"account", c.account},
                   {"account_name", c.account_name},
                   {"client", c.client},
                   {"secret", c.secret}});
  }
  return out;
}

std::vector<ProvisionedClient> clients_from_json(const json& in) {
  std::vector<ProvisionedClient> clients;
  for (const json& c : in) {
    clients.push_back({c.at("account").get<std::string>(), c.at("account_name").get<std::string>(),
                       c.at("client").get<std::string>(), c.at("secret").get<std::string>()});
  }
  return clients;
}

// A journal read back: the core it rebuilt and whether inputs follow its snapshot.
struct Replayed {
  JournaledCore core;
  std::unique_ptr<Journal> journal;
  std::uint64_t inputs = 0;
  std::vector<std::string> notes;  // the journal's, of every open
  std::set<std::uint64_t> named_files;  // by its snapshot
  bool blobs_by_reference = false;       // its start record says so
};

// Blobs kept in files are journaled by reference (net/journal.md): a start
// record says so, and its replay needs the files.
std::shared_ptr<FileBlobStore> blob_files(const CoreSetup& setup) {
  return std::dynamic_pointer_cast<FileBlobStore>(setup.store);
}

json start_record(const CoreSetup& setup, Timestamp now) {
  json start = {{"t", "start"}, {"version", kJournalVersion}, {"at", now.micros()}};
  if (blob_files(setup)) start["blobs_by_reference"] = true;
  const std::optional<SecretGenerator::Key> key =
      setup.new_secret_key ? setup.new_secret_key() : std::nullopt;
  // A new generation's secret key, in its start record (the journal is 0600).
  if (key) start["secret_key"] = SecretGenerator::key_to_hex(*key);
  return start;
}

Result<Replayed> replay_journal(boost::asio::io_context& io, const std::string& path,
                                const CoreSetup& setup) {
  Replayed replayed;
  JournaledCore& core = replayed.core;
  SnapshotReader snapshot(setup.store);
  auto journal = Journal::open(
      path, [&](const json& header, ByteView payload) -> Status {
    try {
      if (header.value("t", "") == "start") {
        if (core.host) return Status(ErrorCode::kInternal, "journal: a second start record");
        LibraryOptions options = setup.library;
        options.seed = core.seed = header.at("seed").get<std::uint64_t>();
        options.secret_key.reset();
        if (header.contains("secret_key")) {
          SecretGenerator::Key key{};
          if (!SecretGenerator::key_from_hex(header.at("secret_key").get<std::string>(), key)) {
            return Status(ErrorCode::kInternal, "journal: the start record's secret_key is not 64 hex digits");
          }
          options.secret_key = key;
        }
        core.generation = header.value("generation", std::uint64_t{0});
        replayed.blobs_by_reference = header.value("blobs_by_reference", false);
        auto library = std::make_unique<Library>(options, setup.store);
        if (core.generation == 0) {
          auto config = parse_accounts_config(header.at("accounts").dump(), "/");
          if (!config.ok()) return config.status();
          auto clients = provision_library(
              *library, *config, Timestamp::from_micros(header.at("at").get<std::int64_t>()));
          if (!clients.ok()) return clients.status();
          core.clients = *clients;
        } else {
          core.clients = clients_from_json(header.at("clients"));
        }
        core.host = std::make_unique<LibraryHost>(io, std::move(library), setup.api, setup.host);
        if (!header.contains("version")) core.host->replay_jobs_serially();
        if (replayed.blobs_by_reference) {
          // After provisioning, which wrote the official images' files again.
          const auto files = blob_files(setup);
          if (!files) return Status(ErrorCode::kInternal, "journal: its blobs are files, but blobs are in memory");
          files->start_replay();
        }
        return {};
      }
      if (!core.host) return Status(ErrorCode::kInternal, "journal: no start record");
      if (SnapshotReader::is_snapshot_record(header))
        return snapshot.read(header, payload, *core.host);
      ++replayed.inputs;
      return core.host->replay(header, payload);
    } catch (const json::exception& error) {
      return Status(ErrorCode::kInternal,
                    std::string("journal: bad start record: ") + error.what());
    }
  }, JournalOpenOptions{setup.repair});
  if (!journal.ok()) return journal.status();
  replayed.journal = std::move(*journal);
  replayed.notes = replayed.journal->notes();
  replayed.named_files = snapshot.named_files();
  return replayed;
}

// Replays the journal; when a repair moved aside a record the replay had
// refused, replays what is left into a fresh core (the first one may hold
// part of that record).
Result<Replayed> replay_journal_repairing(boost::asio::io_context& io, const std::string& path,
                                          const CoreSetup& setup) {
  auto replayed = replay_journal(io, path, setup);
  if (!replayed.ok() || !replayed->journal->moved_a_refused_record()) return replayed;
  std::vector<std::string> notes = std::move(replayed->notes);
  replayed->journal.reset();
  replayed->core.host.reset();
  replayed = replay_journal(io, path, setup);
  if (!replayed.ok()) return replayed;
  notes.insert(notes.end(), replayed->notes.begin(), replayed->notes.end());
  replayed->notes = std::move(notes);
  return replayed;
}

// Writes the next generation's journal beside `path` and puts it in place.
Status compact(const std::string& path, Replayed& replayed, const CoreSetup& setup, Timestamp now) {
  JournaledCore& core = replayed.core;
  core.host->finish_replay();
  auto fresh = Journal::create(path + ".compacting");
  if (!fresh.ok()) return fresh.status();
  json start = start_record(setup, now);
  start["generation"] = core.generation + 1;
  start["seed"] = setup.next_seed(core.seed);
  start["clients"] = clients_to_json(core.clients);
  IMAGELIB_RETURN_IF_ERROR((*fresh)->append(start, {}, false));
  IMAGELIB_RETURN_IF_ERROR(write_snapshot(*core.host, **fresh));
  return (*fresh)->install_as(path);
}

}  // namespace

Result<JournaledCore> open_journaled_core(boost::asio::io_context& io, const std::string& path,
                                          const CoreSetup& setup, Timestamp now) {
  const std::shared_ptr<FileBlobStore> files = blob_files(setup);
  auto replayed = replay_journal_repairing(io, path, setup);
  if (!replayed.ok()) return replayed.status();
  std::vector<std::string> notes = std::move(replayed->notes);
  if (!replayed->core.host) {  // a first start
    json start = start_record(setup, now);
    start["seed"] = setup.first_seed;
    start["accounts"] = to_json(setup.accounts);
    LibraryOptions options = setup.library;
    options.seed = setup.first_seed;
    if (start.contains("secret_key")) {
      options.secret_key.emplace();
      SecretGenerator::key_from_hex(start["secret_key"].get<std::string>(), *options.secret_key);
    }
    auto library = std::make_unique<Library>(options, setup.store);
    auto clients = provision_library(*library, setup.accounts, now);
    if (!clients.ok()) return clients.status();
    IMAGELIB_RETURN_IF_ERROR(replayed->journal->append(start));
    replayed->core =
        JournaledCore{std::make_unique<LibraryHost>(io, std::move(library), setup.api, setup.host),
                      *clients, 0, setup.first_seed};
  } else if (replayed->inputs > 0 || replayed->journal->format() < Journal::kCurrentFormat ||
             replayed->blobs_by_reference != (files != nullptr)) {
    // Rebuilt from whichever journal is in place: the new one, or the old
    // one when compaction failed (it is left as it was).
    const Status compacted = compact(path, *replayed, setup, now);
    if (!compacted.ok()) {
      std::cerr << "imagelib serve: journal not compacted: " << compacted.to_string() << "\n";
      std::error_code ignored;
      std::filesystem::remove(path + ".compacting", ignored);
    }
    replayed->journal.reset();
    replayed->core.host.reset();
    replayed = replay_journal(io, path, setup);
    if (!replayed.ok()) return replayed.status();
  }
  // Only the core kept settles the files: a replay repaired or compacted
  // away may have cut or grown what the kept one holds.
  if (files) IMAGELIB_RETURN_IF_ERROR(files->finish_replay(setup.repair, notes));
  replayed->core.host->attach_journal(std::move(replayed->journal), files != nullptr);
  replayed->core.notes = std::move(notes);
  replayed->core.named_blob_files = std::move(replayed->named_files);
  replayed->core.blob_files = files;
  return std::move(replayed->core);
}

Status make_private_directory(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (!error) {
    std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, error);
  }
  if (error) return Status(ErrorCode::kInternal, "data directory " + path + ": " + error.message());
  return {};
}

}  // namespace imagelib::net
