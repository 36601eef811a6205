#include "reference/library/library.h"

#include <algorithm>

#include "reference/library/server_types.h"
#include "reference/library/visibility.h"

namespace imagelib {
namespace {

constexpr std::string_view kNotFoundText = "Resource not found using supplied identifier";
constexpr std::size_t kMaxNameLength = 255;
constexpr std::string_view kPasswordAlphabet =
    "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
constexpr std::size_t kPasswordLength = 16;
constexpr std::size_t kSecretLength = 24;

Status not_found() { return Status(ErrorCode::kNotFound, std::string(kNotFoundText)); }

Status unprocessable(std::string message) {
  return Status(ErrorCode::kUnprocessable, std::move(message));
}


Status check_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return unprocessable("name must be 1 to 255 characters");
  }
  return {};
}

// "Snapshot of srv-gwgk2 19 Dec 12:57", as the service names snapshots.
std::string snapshot_name(const ServerId& server, Timestamp at) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const CivilTime c = to_civil(at);
  char when[32];
  std::snprintf(when, sizeof when, "%02u %s %02u:%02u", c.day, kMonths[c.month - 1].data(), c.hour,
                c.minute);
  return "Snapshot of " + server + " " + when;
}

}  // namespace

Library::Library(LibraryOptions options, std::shared_ptr<BlobStore> store)
    : options_(std::move(options)),
      store_(std::move(store)),
      rng_(options_.seed),
      ids_(rng_.stream("ids")),
      secrets_(secret_key(), "secrets") {
  ids_.reserve(std::string(kSystemAccount));
}

SecretGenerator::Key Library::secret_key() const {
  return options_.secret_key ? *options_.secret_key : SecretGenerator::key_from_seed(options_.seed);
}

// --- accounts and API clients ---

Status Library::check_account(const AccountId& id) const {
  if (accounts_.count(id) == 0) return not_found();
  return {};
}

Result<Account> Library::create_account(std::string name, std::optional<AccountId> id,
                                        Timestamp at) {
  if (id) {
    if (!is_valid_id(*id, kAccountPrefix)) return unprocessable("account id must look like acc-xxxxx");
    if (accounts_.count(*id) != 0) return Status(ErrorCode::kConflict, "account " + *id + " exists");
    ids_.reserve(*id);
  }
  Account account{id ? *id : ids_.next(kAccountPrefix), std::move(name), std::nullopt,
                  options_.quota_bytes, at};
  accounts_[account.id] = account;
  return account;
}

Result<ApiClient> Library::create_api_client(const AccountId& account, std::optional<ClientId> id,
                                             std::optional<std::string> secret) {
  IMAGELIB_RETURN_IF_ERROR(check_account(account));
  if (id) {
    if (!is_valid_id(*id, kClientPrefix)) return unprocessable("client id must look like cli-xxxxx");
    if (clients_.count(*id) != 0) return Status(ErrorCode::kConflict, "client " + *id + " exists");
    ids_.reserve(*id);
  }
  ApiClient client{id ? *id : ids_.next(kClientPrefix),
                   secret ? *secret : secrets_.draw(kPasswordAlphabet, kSecretLength), account};
  clients_[client.id] = client;
  return client;
}

Result<AccountId> Library::authenticate_client(std::string_view client_id,
                                               std::string_view secret) const {
  auto it = clients_.find(std::string(client_id));
  if (it == clients_.end() || it->second.secret != secret) {
    return Status(ErrorCode::kUnauthorized, "invalid_client");
  }
  return it->second.account;
}

Result<Account> Library::show_account(const AccountId& caller, const AccountId& id) const {
  if (caller != id) return not_found();
  IMAGELIB_RETURN_IF_ERROR(check_account(id));
  Account account = accounts_.at(id);
  account.ftp_password.reset();
  return account;
}

std::vector<Account> Library::list_accounts(const AccountId& caller) const {
  auto own = show_account(caller, caller);
  if (!own.ok()) return {};
  return {*own};
}

Result<Account> Library::reset_ftp_password(const AccountId& caller, const AccountId& id) {
  if (caller != id) return not_found();
  IMAGELIB_RETURN_IF_ERROR(check_account(id));
  Account& account = accounts_.at(id);
  // Mutation kOldFtpPasswordAccepted: the replaced password is remembered for logins.
  if (options_.mutation == Mutation::kOldFtpPasswordAccepted && account.ftp_password) {
    replaced_ftp_passwords_[id] = *account.ftp_password;
  }
  account.ftp_password = secrets_.draw(kPasswordAlphabet, kPasswordLength);
  return account;
}

Status Library::check_ftp_login(std::string_view user, std::string_view password) const {
  auto it = accounts_.find(std::string(user));
  // Mutation kOldFtpPasswordAccepted: the password before the last reset logs in too.
  if (auto old = replaced_ftp_passwords_.find(std::string(user));
      old != replaced_ftp_passwords_.end() && old->second == password) {
    return {};
  }
  if (it == accounts_.end() || !it->second.ftp_password || *it->second.ftp_password != password) {
    return Status(ErrorCode::kLoginIncorrect, "Login incorrect.");
  }
  return {};
}

// --- images ---

Result<const Image*> Library::find_visible_image(const AccountId& caller, const ImageId& id) const {
  auto it = images_.find(id);
  if (it == images_.end() || !is_visible_by_id(caller, it->second, options_.mutation)) {
    return not_found();
  }
  return &it->second;
}

Result<Image*> Library::find_image(const AccountId& caller, const ImageId& id, bool for_change) {
  auto found = find_visible_image(caller, id);
  if (!found.ok()) return found.status();
  auto* image = const_cast<Image*>(*found);
  if (for_change && image->owner != caller) {
    return Status(ErrorCode::kForbidden, "only the owner of " + id + " may change it");
  }
  return image;
}

Image& Library::add_creating_image(Image image, Timestamp at) {
  image.status = ImageStatus::kCreating;
  image.created_at = at;
  const ImageId id = image.id;
  images_[id] = std::move(image);
  Job job{at + options_.job_time, job_sequence_++, id};
  jobs_.insert(std::upper_bound(jobs_.begin(), jobs_.end(), job,
                                [](const Job& a, const Job& b) {
                                  return std::tie(a.due, a.sequence) < std::tie(b.due, b.sequence);
                                }),
               job);
  return images_[id];
}

Result<Image> Library::register_image(const AccountId& caller, const RegisterRequest& request,
                                      Timestamp at) {
  IMAGELIB_RETURN_IF_ERROR(check_account(caller));
  if (request.server) return start_snapshot(caller, *request.server, &request, at);
  if (!request.arch) return unprocessable("arch is required");
  const auto arch = parse_arch(*request.arch);
  if (!arch) return unprocessable("arch must be i686 or x86_64, not '" + *request.arch + "'");
  if (request.http_url) {
    return unprocessable("http_url is not fetched by the reference library: upload to incoming/ and "
                         "give its name as source");
  }
  if (!request.source) return unprocessable("source is required: a file name in incoming/");
  const std::string& source = *request.source;
  if (!is_valid_file_name(source)) {
    return unprocessable("source '" + source + "' is not a valid file name (letters, digits, -_+.~^)");
  }
  auto& incoming = incoming_of(caller);
  auto file = incoming.find(source);
  if (file == incoming.end()) return unprocessable("source '" + source + "' is not a file in incoming/");
  if (request.name) IMAGELIB_RETURN_IF_ERROR(check_name(*request.name));
  // An upload still running when it is registered has bytes not yet made durable.
  IMAGELIB_RETURN_IF_ERROR(file->second.content->sync());

  Image image;
  image.id = ids_.next(kImagePrefix);
  image.name = request.name ? *request.name : source + " " + at.iso8601();
  image.username = request.username;
  image.description = request.description.value_or("");
  image.source = source;
  image.source_type = SourceType::kUpload;
  image.arch = *arch;
  image.is_public = request.is_public;
  image.compatibility_mode = request.compatibility_mode;
  image.min_ram = request.min_ram;
  image.owner = caller;
  image.file = file->second.content;
  // Mutation kIncomingKeptAfterRegistration: the upload also stays in incoming/.
  if (options_.mutation != Mutation::kIncomingKeptAfterRegistration) incoming.erase(file);
  return add_creating_image(std::move(image), at);
}

std::vector<Image> Library::list_images(const AccountId& caller) const {
  std::vector<Image> listed;
  for (const auto& [id, image] : images_) {
    if (is_listed_for(caller, image, options_.mutation)) listed.push_back(image);
  }
  return listed;
}

Result<Image> Library::show_image(const AccountId& caller, const ImageId& id) const {
  auto found = find_visible_image(caller, id);
  if (!found.ok()) return found.status();
  return **found;
}

Result<Image> Library::update_image(const AccountId& caller, const ImageId& id,
                                    const ImageUpdate& update) {
  auto found = find_image(caller, id, /*for_change=*/true);
  if (!found.ok()) return found.status();
  Image& image = **found;
  // Validate everything before changing anything.
  std::optional<Arch> arch;
  if (update.arch) {
    arch = parse_arch(*update.arch);
    if (!arch) return unprocessable("arch must be i686 or x86_64, not '" + *update.arch + "'");
  }
  if (update.name) IMAGELIB_RETURN_IF_ERROR(check_name(*update.name));
  std::optional<ImageStatus> status;
  if (update.status) {
    status = parse_image_status(*update.status);
    if (status != ImageStatus::kDeprecated && status != ImageStatus::kAvailable) {
      return unprocessable("status may be set to deprecated or available only");
    }
    if (image.status != ImageStatus::kAvailable && image.status != ImageStatus::kDeprecated) {
      return Status(ErrorCode::kConflict, "image " + id + " is " +
                                              std::string(to_string(image.status)) +
                                              ", not available or deprecated");
    }
  }
  if (update.name) image.name = *update.name;
  if (update.description) image.description = *update.description;
  if (update.username) image.username = *update.username;
  if (arch) image.arch = *arch;
  if (update.min_ram) image.min_ram = *update.min_ram;
  if (update.is_public) image.is_public = *update.is_public;
  if (update.compatibility_mode) image.compatibility_mode = *update.compatibility_mode;
  // Mutation kCompatibilityModeChangesExistingServers: servers built from it follow the change.
  if (options_.mutation == Mutation::kCompatibilityModeChangesExistingServers &&
      update.compatibility_mode) {
    for (auto& [server_id, server] : servers_) {
      if (server.image == id) server.compatibility_mode = *update.compatibility_mode;
    }
  }
  if (status) image.status = *status;
  return image;
}

Result<Image> Library::set_image_lock(const AccountId& caller, const ImageId& id, bool locked) {
  auto found = find_image(caller, id, /*for_change=*/true);
  if (!found.ok()) return found.status();
  (*found)->locked = locked;
  return **found;
}

Result<Image> Library::destroy_image(const AccountId& caller, const ImageId& id) {
  auto found = find_image(caller, id, /*for_change=*/true);
  if (!found.ok()) return found.status();
  Image& image = **found;
  // Mutation kLockedImageDestroyed: the lock is not checked.
  if (image.locked && options_.mutation != Mutation::kLockedImageDestroyed) {
    return Status(ErrorCode::kConflict, "image " + id + " is locked: unlock it before destroying it");
  }
  image.status = ImageStatus::kDeleted;
  // Servers built from it keep their own reference to the disk.
  image.file.reset();
  image.disk.reset();
  return image;
}

Result<Image> Library::add_official_image(const OfficialImageSpec& spec, Timestamp at) {
  IMAGELIB_RETURN_IF_ERROR(check_name(spec.name));
  std::shared_ptr<Blob> file = new_blob();
  IMAGELIB_RETURN_IF_ERROR(file->write_at(0, spec.content));
  std::shared_ptr<Blob> disk = new_blob();
  auto decoded = decode_image(*file, *disk, options_.decode_limits);
  if (!decoded.ok()) return decoded.status();

  Image image;
  image.id = ids_.next(kImagePrefix);
  image.name = spec.name;
  image.status = ImageStatus::kAvailable;
  image.username = spec.username;
  image.description = spec.description;
  image.source = spec.name;
  image.arch = spec.arch;
  image.created_at = at;
  image.official = true;
  image.is_public = true;
  image.compatibility_mode = spec.compatibility_mode;
  image.min_ram = spec.min_ram;
  image.owner = std::string(kSystemAccount);
  image.virtual_size = decoded->virtual_size;
  image.disk_size = decoded->disk_size;
  image.source_format = decoded->format;
  image.sha256 = decoded->sha256;
  image.file = std::move(file);
  image.disk = std::move(disk);
  images_[image.id] = image;
  return image;
}

// --- servers ---

Result<Server> Library::create_server(const AccountId& caller, const ServerRequest& request,
                                      Timestamp at) {
  IMAGELIB_RETURN_IF_ERROR(check_account(caller));
  auto found = find_visible_image(caller, request.image);
  if (!found.ok()) return found.status();
  const Image& image = **found;
  // Mutation kDeprecatedNotBuildable: only available images are built from.
  const bool deprecated_buildable = options_.mutation != Mutation::kDeprecatedNotBuildable;
  if (image.status != ImageStatus::kAvailable &&
      (image.status != ImageStatus::kDeprecated || !deprecated_buildable)) {
    return Status(ErrorCode::kConflict, "image " + image.id + " is " +
                                            std::string(to_string(image.status)) +
                                            ": servers are built from available or deprecated images");
  }
  const ServerType* type = request.server_type ? find_server_type(*request.server_type)
                                               : &default_server_type();
  if (type == nullptr) return unprocessable("unknown server_type '" + *request.server_type + "'");
  if (image.min_ram && *image.min_ram > type->ram_mb) {
    return unprocessable("server type " + std::string(type->handle) + " has " +
                         std::to_string(type->ram_mb) + " MB of RAM; image " + image.id +
                         " needs at least " + std::to_string(*image.min_ram) + " MB");
  }
  if (const std::uint32_t used = ram_used_mb(caller); used + type->ram_mb > options_.ram_limit_mb) {
    return unprocessable("server type " + std::string(type->handle) + " needs " +
                         std::to_string(type->ram_mb) + " MB of RAM; the account uses " +
                         std::to_string(used) + " MB of its limit of " +
                         std::to_string(options_.ram_limit_mb) + " MB");
  }
  if (to_megabytes(image.virtual_size) > type->disk_mb) {
    return unprocessable("image " + image.id + " is larger than the disk of server type " +
                         std::string(type->handle));
  }
  if (request.name) IMAGELIB_RETURN_IF_ERROR(check_name(*request.name));

  Server server;
  server.id = ids_.next(kServerPrefix);
  server.owner = caller;
  server.name = request.name.value_or("");
  server.image = image.id;
  server.server_type = std::string(type->id);
  server.compatibility_mode = image.compatibility_mode;  // fixed at creation
  // Mutation kCompatibilityModeNotCopied: the server gets the default mode instead.
  if (options_.mutation == Mutation::kCompatibilityModeNotCopied) server.compatibility_mode = false;
  server.created_at = at;
  server.disk = image.disk;
  servers_[server.id] = server;
  return server;
}

Result<Server> Library::show_server(const AccountId& caller, const ServerId& id) const {
  auto it = servers_.find(id);
  if (it == servers_.end() || it->second.owner != caller) return not_found();
  return it->second;
}

std::vector<Server> Library::list_servers(const AccountId& caller) const {
  std::vector<Server> listed;
  for (const auto& [id, server] : servers_) {
    if (server.owner == caller) listed.push_back(server);
  }
  return listed;
}

Result<Image> Library::snapshot_server(const AccountId& caller, const ServerId& id, Timestamp at) {
  return start_snapshot(caller, id, nullptr, at);
}

Result<Server> Library::destroy_server(const AccountId& caller, const ServerId& id) {
  auto server = show_server(caller, id);
  if (!server.ok()) return server.status();
  servers_.erase(id);
  return server;
}

std::uint32_t Library::ram_used_mb(const AccountId& account) const {
  std::uint32_t used = 0;
  for (const auto& [id, server] : servers_) {
    const ServerType* type = find_server_type(server.server_type);
    if (server.owner == account && type != nullptr) used += type->ram_mb;
  }
  return used;
}

ServerView Library::view_server(const Server& server) const {
  ServerView view{server, images_.at(server.image), accounts_.at(server.owner), {}, std::nullopt};
  for (const auto& [image_id, image] : images_) {
    if (image.source_type == SourceType::kSnapshot && image.source == server.id &&
        image.owner == server.owner && image.status != ImageStatus::kDeleted) {
      view.snapshots.push_back(image);
    }
  }
  return view;
}

AccountView Library::view_account(const Account& account) const {
  AccountView view{account, {}, {}, {}, options_.ram_limit_mb, ram_used_mb(account.id)};
  for (const auto& [id, client] : clients_) {
    if (client.account == account.id) view.clients.push_back(client);
  }
  for (const auto& [id, server] : servers_) {
    if (server.owner == account.id) view.servers.push_back(view_server(server));
  }
  for (const auto& [id, image] : images_) {
    if (image.owner == account.id && image.status != ImageStatus::kDeleted) {
      view.images.push_back(image);
    }
  }
  return view;
}

Result<Image> Library::start_snapshot(const AccountId& caller, const ServerId& id,
                                      const RegisterRequest* details, Timestamp at) {
  auto server = show_server(caller, id);
  if (!server.ok()) return server.status();
  const Image& origin = images_.at(server->image);
  if (details && details->name) IMAGELIB_RETURN_IF_ERROR(check_name(*details->name));

  Image image;
  image.id = ids_.next(kImagePrefix);
  image.name = details && details->name ? *details->name : snapshot_name(id, at);
  image.description = details ? details->description.value_or("") : "";
  image.username = details && details->username ? details->username : origin.username;
  image.source = id;
  image.source_type = SourceType::kSnapshot;
  image.arch = origin.arch;
  image.compatibility_mode = server->compatibility_mode;
  image.min_ram = origin.min_ram;
  image.owner = caller;
  image.ancestor = origin.id;
  image.file = server->disk;
  return add_creating_image(std::move(image), at);
}

// --- jobs ---

std::optional<Timestamp> Library::next_job_due() const {
  if (jobs_.empty()) return std::nullopt;
  return jobs_.front().due;
}

void Library::run_jobs_until(Timestamp now) {
  while (auto job = take_due_job(now)) commit_job(*job, run_job(*job));
}

std::optional<PendingJob> Library::take_due_job(Timestamp now) {
  while (!jobs_.empty() && jobs_.front().due <= now) {
    const Job job = jobs_.front();
    jobs_.erase(jobs_.begin());
    const Image& image = images_.at(job.image);
    if (image.status != ImageStatus::kCreating) continue;  // destroyed meanwhile
    return PendingJob{.due = job.due,
                      .image = job.image,
                      .raw_disk = image.source_type == SourceType::kSnapshot,
                      .source = image.file,
                      .store = store_,
                      .disk_key = next_blob_key_++,
                      .limits = options_.decode_limits,
                      .mutation = options_.mutation};
  }
  return std::nullopt;
}

JobResult Library::run_job(const PendingJob& job) {
  JobResult result;
  result.disk = job.store->create(job.disk_key);
  result.decoded = job.raw_disk ? decode_raw_disk(*job.source, *result.disk, job.limits)
                                : decode_image(*job.source, *result.disk, job.limits);
  // Mutation kUnsafeQcow2Accepted: a qcow2 the checks refuse is copied as a raw disk.
  if (!result.decoded.ok() && job.mutation == Mutation::kUnsafeQcow2Accepted &&
      result.decoded.status().message().starts_with("qcow2")) {
    const Status emptied = result.disk->resize(0);
    result.decoded = emptied.ok() ? decode_raw_disk(*job.source, *result.disk, job.limits)
                                  : Result<DecodedImage>(emptied);
  }
  if (result.decoded.ok()) {
    if (const Status synced = result.disk->sync(); !synced.ok()) {
      result.decoded = Status(synced.code(), "the disk could not be stored: " + synced.message());
    }
  }
  return result;
}

void Library::commit_job(const PendingJob& job, JobResult result) {
  Image& image = images_.at(job.image);
  if (image.status != ImageStatus::kCreating) return;  // destroyed while it ran
  const Result<DecodedImage>& decoded = result.decoded;
  if (!decoded.ok()) {
    image.status = ImageStatus::kFailed;
    image.status_reason = decoded.status().message();
    // Mutation kFailedRegistrationLosesFile: the upload is dropped from images/.
    if (options_.mutation == Mutation::kFailedRegistrationLosesFile) image.file.reset();
    return;
  }
  image.status = ImageStatus::kAvailable;
  image.virtual_size = decoded->virtual_size;
  // Mutation kWrongVirtualSize: one MB too many.
  if (options_.mutation == Mutation::kWrongVirtualSize) image.virtual_size += kMiB;
  image.disk_size = decoded->disk_size;
  image.source_format = decoded->format;
  image.sha256 = decoded->sha256;
  image.disk = std::move(result.disk);
}

}  // namespace imagelib
