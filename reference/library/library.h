// Library: the reference image library, the executable definition of SPEC §3.
// Every operation takes the calling account and, where time matters, the
// time; nothing here reads a clock, does I/O or draws from anything but the
// seeded Rng. Not thread-safe: an environment (simulator or net/) serialises
// every call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reference/base/ids.h"
#include "reference/base/rng.h"
#include "reference/base/secret_generator.h"
#include "reference/base/status.h"
#include "reference/formats/decode.h"
#include "reference/library/blob_store.h"
#include "reference/library/ftp_path.h"
#include "reference/library/model.h"
#include "reference/library/mutation.h"

namespace imagelib {

struct LibraryOptions {
  std::uint64_t seed = 1;
  // The key of every secret (client secrets, FTP passwords, tokens): serve's
  // comes from OpenSSL's CSPRNG; without one it is derived from `seed`.
  std::optional<SecretGenerator::Key> secret_key;
  std::uint64_t quota_bytes = 64 * kGiB;  // per account, incoming/ and images/ together
  std::string ftp_host = "ftp.library.localhost";
  // The RAM all of an account's servers may use together (MB): the
  // account's `ram_limit`; a server that would pass it is refused (422).
  std::uint32_t ram_limit_mb = 64 * 1024;
  DecodeLimits decode_limits;
  // The virtual time a registration or a snapshot takes before it ends.
  Duration job_time = std::chrono::seconds(2);
  // A fault for the harness's mutation test (mutation.h); kNone everywhere else.
  Mutation mutation = Mutation::kNone;
};

struct RegisterRequest {
  std::optional<std::string> arch;
  std::optional<std::string> source;    // a file in the caller's incoming/
  std::optional<std::string> server;    // or: a snapshot of this server
  std::optional<std::string> http_url;  // or: a URL to fetch (not done by the reference)
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> username;
  bool is_public = false;
  bool compatibility_mode = false;
  std::optional<std::uint32_t> min_ram;
};

struct ImageUpdate {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> username;
  std::optional<std::string> arch;
  std::optional<std::uint32_t> min_ram;
  std::optional<bool> is_public;
  std::optional<bool> compatibility_mode;
  std::optional<std::string> status;  // "deprecated" or "available" only
};

struct OfficialImageSpec {
  std::string name;
  Arch arch = Arch::kX86_64;
  std::string description;
  std::optional<std::string> username;
  std::optional<std::uint32_t> min_ram;
  bool compatibility_mode = false;
  Bytes content;  // the disk file as uploaded, any accepted format
};

struct ServerRequest {
  std::string image;
  std::optional<std::string> name;
  std::optional<std::string> server_type;  // id or handle; default 1gb.ssd
};

// A server with the records its API answer shows: the image it was built
// from (kept even once destroyed), its owner and the snapshots taken of it
// that still exist (not deleted), in id order.
struct ServerView {
  Server server;
  Image image;
  Account account;
  std::vector<Image> snapshots;
  std::optional<Timestamp> deleted_at;  // set in the answer to its destroy only
};

// An account with what its API answer shows: its API clients, servers and
// images (not deleted), in id order, and the RAM its servers use.
struct AccountView {
  Account account;
  std::vector<ApiClient> clients;
  std::vector<ServerView> servers;
  std::vector<Image> images;
  std::uint32_t ram_limit_mb = 0;
  std::uint32_t ram_used_mb = 0;
};

struct FtpEntry {
  std::string name;
  bool is_folder = false;
  std::uint64_t size = 0;
  Timestamp modified_at;
};

// A registration or snapshot whose time has come, taken out of the Library
// by take_due_job(): what to decode. run_job() reads only `source` (immutable
// once the image exists) and writes only the disk it creates, so an
// environment may run it on another thread and hand the result back to
// commit_job() on the thread that owns the Library.
struct PendingJob {
  Timestamp due;
  ImageId image;
  bool raw_disk = false;  // a snapshot: the source is a raw disk, not re-probed
  std::shared_ptr<const Blob> source;
  std::shared_ptr<BlobStore> store;  // where the decoded disk goes
  BlobKey disk_key = 0;               // its name there
  DecodeLimits limits;
  Mutation mutation = Mutation::kNone;
};

struct JobResult {
  std::shared_ptr<Blob> disk;
  Result<DecodedImage> decoded = Status(ErrorCode::kInternal, "job not run");
};

// Every record the Library holds, for an environment that saves its state
// and starts again from it (net/ compacts its journal into one). Blobs are
// shared, not copied.
struct LibraryRecords {
  struct JobRecord {
    Timestamp due;
    ImageId image;
  };
  std::vector<Account> accounts;
  std::vector<ApiClient> clients;
  std::vector<Image> images;
  std::vector<Server> servers;
  std::map<AccountId, std::map<std::string, IncomingFile>> incoming;
  std::vector<JobRecord> jobs;  // earliest first
  BlobKey next_blob_key = 1;    // the name of the next blob made
};

enum class WriteMode {
  kReplace,  // STOR: start a new file
  kAppend,   // APPE: write after the current end
  kResume,   // REST n + STOR: write from n, keeping what is there
};

class Library {
 public:
  explicit Library(LibraryOptions options = {},
                   std::shared_ptr<BlobStore> store = std::make_shared<MemoryBlobStore>());

  const LibraryOptions& options() const { return options_; }
  // options().secret_key, or the key derived from the seed.
  SecretGenerator::Key secret_key() const;

  // --- accounts and API clients ---
  // Creates an account; `id` is drawn from the seeded generator unless given.
  Result<Account> create_account(std::string name, std::optional<AccountId> id = std::nullopt,
                                 Timestamp at = {});
  Result<ApiClient> create_api_client(const AccountId& account,
                                      std::optional<ClientId> id = std::nullopt,
                                      std::optional<std::string> secret = std::nullopt);
  // The account a client acts for; kUnauthorized for an unknown client or a wrong secret.
  Result<AccountId> authenticate_client(std::string_view client_id, std::string_view secret) const;
  // The account with its FTP password hidden.
  Result<Account> show_account(const AccountId& caller, const AccountId& id) const;
  // The accounts the caller's API clients act for: its own, the only one.
  std::vector<Account> list_accounts(const AccountId& caller) const;
  // A new FTP password, shown only in this result; the old one stops working.
  Result<Account> reset_ftp_password(const AccountId& caller, const AccountId& id);
  Status check_ftp_login(std::string_view user, std::string_view password) const;

  // --- the FTP namespace of an account (library_files.cc) ---
  Result<std::vector<FtpEntry>> ftp_list(const AccountId& account, const FtpPath& path) const;
  Result<FtpEntry> ftp_stat(const AccountId& account, const FtpPath& path) const;
  // Up to `max_bytes` from `offset`; empty at or past the end.
  Result<Bytes> ftp_read(const AccountId& account, const FtpPath& path, std::uint64_t offset,
                         std::uint64_t max_bytes) const;
  // Opens a file of incoming/ for an upload; returns the offset the data starts at.
  Result<std::uint64_t> ftp_open_for_write(const AccountId& account, const FtpPath& path,
                                           WriteMode mode, std::uint64_t offset, Timestamp at);
  Status ftp_write(const AccountId& account, const FtpPath& path, std::uint64_t offset,
                   ByteView data, Timestamp at);
  // An upload ended: makes its bytes durable before the 226 (a file gone
  // meanwhile has nothing left to store here).
  Status ftp_finish_write(const AccountId& account, const FtpPath& path);
  Status ftp_delete(const AccountId& account, const FtpPath& path);
  // Renames inside incoming/; the file keeps its modification time.
  Status ftp_rename(const AccountId& account, const FtpPath& from, const FtpPath& to);
  Status ftp_make_folder(const AccountId& account, const FtpPath& path);
  Status ftp_remove_folder(const AccountId& account, const FtpPath& path);
  // Bytes the account stores in incoming/ and images/, counted against the quota.
  std::uint64_t stored_bytes(const AccountId& account) const;

  // --- images ---
  Result<Image> register_image(const AccountId& caller, const RegisterRequest& request, Timestamp at);
  std::vector<Image> list_images(const AccountId& caller) const;
  Result<Image> show_image(const AccountId& caller, const ImageId& id) const;
  Result<Image> update_image(const AccountId& caller, const ImageId& id, const ImageUpdate& update);
  Result<Image> set_image_lock(const AccountId& caller, const ImageId& id, bool locked);
  Result<Image> destroy_image(const AccountId& caller, const ImageId& id);
  // Official images (owner kSystemAccount), decoded at once. Only the harness
  // and a server's bootstrap call this.
  Result<Image> add_official_image(const OfficialImageSpec& spec, Timestamp at);

  // --- servers ---
  Result<Server> create_server(const AccountId& caller, const ServerRequest& request, Timestamp at);
  Result<Server> show_server(const AccountId& caller, const ServerId& id) const;
  std::vector<Server> list_servers(const AccountId& caller) const;
  // Starts a snapshot: a new private image of the server's disk, `creating`.
  Result<Image> snapshot_server(const AccountId& caller, const ServerId& id, Timestamp at);
  // Destroys the caller's server (SPEC §3 has no rule; these are decisions):
  // the owner only (another account's server → 404, as for a missing id);
  // running servers are destroyed (there is no stop); servers have no lock
  // (SPEC locks images only); the server is forgotten at once (no `deleting`
  // phase: it leaves the listing and show → 404); snapshots taken of it stay,
  // and so does a snapshot still `creating` (it reads the disk it was given).
  Result<Server> destroy_server(const AccountId& caller, const ServerId& id);

  // --- the records an API answer shows with a server or an account ---
  // `server` and `account` come from a call that checked the caller may see them.
  ServerView view_server(const Server& server) const;
  AccountView view_account(const Account& account) const;

  // --- jobs: registrations and snapshots end in virtual time ---
  std::optional<Timestamp> next_job_due() const;
  // Ends every job due at or before `now`, earliest first: the serial
  // composition of the three calls below.
  void run_jobs_until(Timestamp now);
  // The earliest job due at or before `now`, removed from the queue; jobs of
  // images destroyed meanwhile are dropped.
  std::optional<PendingJob> take_due_job(Timestamp now);
  // Decodes the job's source into a new disk. Pure: touches nothing of the
  // Library, so it may run on any thread.
  static JobResult run_job(const PendingJob& job);
  // Ends the job with its result (the image becomes available or failed),
  // unless the image was destroyed meanwhile.
  void commit_job(const PendingJob& job, JobResult result);

  // --- saving and restoring (library_records.cc) ---
  // Every record, with the jobs still queued (not those taken).
  LibraryRecords records() const;
  // Replaces an empty Library's records (a fresh one with its own seed) with
  // `records`; ids drawn afterwards never repeat a restored one.
  Status restore(LibraryRecords records);

  // The whole state as canonical JSON text: equal states give equal text.
  std::string dump_state() const;

 private:
  struct Job {
    Timestamp due;
    std::uint64_t sequence;
    ImageId image;
  };

  Status check_account(const AccountId& id) const;
  // The image if `caller` may see it by id, else the same kNotFound as for a
  // missing id; kForbidden when `for_change` and the caller is not the owner.
  Result<Image*> find_image(const AccountId& caller, const ImageId& id, bool for_change);
  Result<const Image*> find_visible_image(const AccountId& caller, const ImageId& id) const;
  // The RAM (MB) of the account's servers, by their server types.
  std::uint32_t ram_used_mb(const AccountId& account) const;
  Result<Image> start_snapshot(const AccountId& caller, const ServerId& id,
                               const RegisterRequest* details, Timestamp at);
  Image& add_creating_image(Image image, Timestamp at);
  std::map<std::string, IncomingFile>& incoming_of(const AccountId& account);
  std::shared_ptr<Blob> new_blob() { return store_->create(next_blob_key_++); }
  const IncomingFile* find_incoming(const AccountId& account, const std::string& name) const;

  LibraryOptions options_;
  std::shared_ptr<BlobStore> store_;
  Rng rng_;
  IdGenerator ids_;
  SecretGenerator secrets_;
  std::map<AccountId, Account> accounts_;
  // Passwords replaced by a reset; kept only under Mutation::kOldFtpPasswordAccepted.
  std::map<AccountId, std::string> replaced_ftp_passwords_;
  std::map<ClientId, ApiClient> clients_;
  std::map<ImageId, Image> images_;
  std::map<ServerId, Server> servers_;
  std::map<AccountId, std::map<std::string, IncomingFile>> incoming_;
  std::vector<Job> jobs_;  // kept sorted by (due, sequence)
  std::uint64_t job_sequence_ = 0;
  BlobKey next_blob_key_ = 1;
};

}  // namespace imagelib
