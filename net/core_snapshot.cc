#include "net/core_snapshot.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "net/file_blob_store.h"

namespace imagelib::net {
namespace {

using nlohmann::json;

constexpr std::uint64_t kChunkBytes = 8 * kMiB;

json optional_json(const auto& value) { return value ? json(*value) : json(nullptr); }

template <typename T>
std::optional<T> optional_from(const json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<T>();
}

Timestamp time_from(const json& value) { return Timestamp::from_micros(value.get<std::int64_t>()); }

// Numbers each distinct blob in the order first met; writes each once.
class BlobWriter {
 public:
  explicit BlobWriter(Journal& out) : out_(out) {}

  json number_of(const std::shared_ptr<const Blob>& blob) {
    if (!blob) return nullptr;
    auto [it, added] = numbers_.try_emplace(blob.get(), numbers_.size());
    if (added && status_.ok()) status_ = write(*blob, it->second);
    return it->second;
  }
  const Status& status() const { return status_; }

 private:
  Status write(const Blob& blob, std::uint64_t number) {
    // A file of the data directory is named, not copied: a restart adopts it.
    if (const auto* file = dynamic_cast<const FileBlob*>(&blob)) {
      IMAGELIB_RETURN_IF_ERROR(file->keep_for_snapshot());
      return out_.append({{"t", "blob_file"}, {"n", number}, {"key", file->key()}, {"size", blob.size()}}, {},
                         false);
    }
    IMAGELIB_RETURN_IF_ERROR(
        out_.append({{"t", "blob"}, {"n", number}, {"size", blob.size()}}, {}, false));
    Bytes chunk;
    for (const Extent& extent : blob.data_extents()) {
      for (std::uint64_t done = 0; done < extent.length;) {
        const std::uint64_t length = std::min(kChunkBytes, extent.length - done);
        chunk.resize(static_cast<std::size_t>(length));
        IMAGELIB_RETURN_IF_ERROR(blob.read_at(extent.offset + done, chunk));
        if (!is_all_zero(chunk)) {
          IMAGELIB_RETURN_IF_ERROR(out_.append(
              {{"t", "blob_data"}, {"n", number}, {"offset", extent.offset + done}}, chunk, false));
        }
        done += length;
      }
    }
    return {};
  }

  Journal& out_;
  std::map<const Blob*, std::uint64_t> numbers_;  // identity only; numbers follow the walk
  Status status_;
};

json image_to_json(const Image& image, BlobWriter& blobs) {
  return {{"id", image.id},
          {"name", image.name},
          {"status", to_string(image.status)},
          {"locked", image.locked},
          {"username", optional_json(image.username)},
          {"description", image.description},
          {"source", image.source},
          {"source_type", to_string(image.source_type)},
          {"source_trigger", image.source_trigger},
          {"arch", to_string(image.arch)},
          {"created_at", image.created_at.micros()},
          {"official", image.official},
          {"is_public", image.is_public},
          {"compatibility_mode", image.compatibility_mode},
          {"virtual_size", image.virtual_size},
          {"disk_size", image.disk_size},
          {"min_ram", optional_json(image.min_ram)},
          {"owner", image.owner},
          {"ancestor", optional_json(image.ancestor)},
          {"source_format", image.source_format},
          {"sha256", image.sha256},
          {"status_reason", image.status_reason},
          {"file", blobs.number_of(image.file)},
          {"disk", blobs.number_of(image.disk)}};
}

json server_to_json(const Server& server, BlobWriter& blobs) {
  return {{"id", server.id},
          {"owner", server.owner},
          {"name", server.name},
          {"image", server.image},
          {"server_type", server.server_type},
          {"compatibility_mode", server.compatibility_mode},
          {"created_at", server.created_at.micros()},
          {"disk", blobs.number_of(server.disk)}};
}

Result<Image> image_from_json(const json& j,
                              const std::function<std::shared_ptr<Blob>(const json&)>& blob) {
  Image image;
  image.id = j.at("id").get<std::string>();
  image.name = j.at("name").get<std::string>();
  const auto status = parse_image_status(j.at("status").get<std::string>());
  const auto arch = parse_arch(j.at("arch").get<std::string>());
  if (!status || !arch)
    return Status(ErrorCode::kInternal, "snapshot: bad status or arch of " + image.id);
  image.status = *status;
  image.arch = *arch;
  image.locked = j.at("locked").get<bool>();
  image.username = optional_from<std::string>(j.at("username"));
  image.description = j.at("description").get<std::string>();
  image.source = j.at("source").get<std::string>();
  image.source_type = j.at("source_type").get<std::string>() == to_string(SourceType::kSnapshot)
                          ? SourceType::kSnapshot
                          : SourceType::kUpload;
  image.source_trigger = j.at("source_trigger").get<std::string>();
  image.created_at = time_from(j.at("created_at"));
  image.official = j.at("official").get<bool>();
  image.is_public = j.at("is_public").get<bool>();
  image.compatibility_mode = j.at("compatibility_mode").get<bool>();
  image.virtual_size = j.at("virtual_size").get<std::uint64_t>();
  image.disk_size = j.at("disk_size").get<std::uint64_t>();
  image.min_ram = optional_from<std::uint32_t>(j.at("min_ram"));
  image.owner = j.at("owner").get<std::string>();
  image.ancestor = optional_from<std::string>(j.at("ancestor"));
  image.source_format = j.at("source_format").get<std::string>();
  image.sha256 = j.at("sha256").get<std::string>();
  image.status_reason = j.at("status_reason").get<std::string>();
  image.file = blob(j.at("file"));
  image.disk = blob(j.at("disk"));
  return image;
}

}  // namespace

Status write_snapshot(LibraryHost& host, Journal& out) {
  const LibraryRecords records = host.library().records();
  BlobWriter blobs(out);
  json state;
  for (const Account& account : records.accounts) {
    state["accounts"].push_back({{"id", account.id},
                                 {"name", account.name},
                                 {"ftp_password", optional_json(account.ftp_password)},
                                 {"quota_bytes", account.quota_bytes}});
  }
  for (const ApiClient& client : records.clients) {
    state["clients"].push_back(
        {{"id", client.id}, {"secret", client.secret}, {"account", client.account}});
  }
  for (const Image& image : records.images) state["images"].push_back(image_to_json(image, blobs));
  for (const Server& server : records.servers)
    state["servers"].push_back(server_to_json(server, blobs));
  for (const auto& [account, files] : records.incoming) {
    for (const auto& [name, file] : files) {
      state["incoming"].push_back({{"account", account},
                                   {"name", name},
                                   {"modified_at", file.modified_at.micros()},
                                   {"content", blobs.number_of(file.content)}});
    }
  }
  // Jobs taken but not ended go back into the queue: they run again.
  for (const LibraryRecords::JobRecord& job : records.jobs) {
    state["jobs"].push_back({{"due", job.due.micros()}, {"image", job.image}});
  }
  for (const PendingJob& job : host.jobs_in_progress()) {
    state["jobs"].push_back({{"due", job.due.micros()}, {"image", job.image}});
  }
  for (const TokenStore::Held& token : host.api().tokens().held()) {
    state["tokens"].push_back({{"token", token.token},
                               {"account", token.account},
                               {"expires_at", token.expires_at.micros()}});
  }
  IMAGELIB_RETURN_IF_ERROR(blobs.status());
  state["next_blob_key"] = records.next_blob_key;
  state["t"] = "state";
  return out.append(state, {}, false);
}

bool SnapshotReader::is_snapshot_record(const json& header) {
  const std::string type = header.value("t", "");
  return type == "blob" || type == "blob_data" || type == "blob_file" || type == "state";
}

std::shared_ptr<Blob> SnapshotReader::blob(const json& number) const {
  if (number.is_null()) return nullptr;
  auto it = blobs_.find(number.get<std::uint64_t>());
  return it == blobs_.end() ? nullptr : it->second;
}

Status SnapshotReader::read(const json& header, ByteView payload, LibraryHost& host) {
  try {
    const std::string type = header.at("t").get<std::string>();
    if (type == "blob") {  // a blob that was in memory stays in memory
      std::shared_ptr<Blob> created = std::make_shared<MemoryBlob>();
      IMAGELIB_RETURN_IF_ERROR(created->resize(header.at("size").get<std::uint64_t>()));
      blobs_[header.at("n").get<std::uint64_t>()] = std::move(created);
      return {};
    }
    if (type == "blob_file") {
      auto files = std::dynamic_pointer_cast<FileBlobStore>(store_);
      if (!files) return Status(ErrorCode::kInternal, "snapshot: names a blob file, but blobs are in memory");
      const auto key = header.at("key").get<std::uint64_t>();
      named_files_.insert(key);
      auto adopted = files->adopt(key, header.at("size").get<std::uint64_t>());
      if (!adopted.ok()) return Status(ErrorCode::kInternal, "snapshot: " + adopted.status().message());
      blobs_[header.at("n").get<std::uint64_t>()] = std::move(*adopted);
      return {};
    }
    if (type == "blob_data") {
      std::shared_ptr<Blob> target = blob(header.at("n"));
      if (!target) return Status(ErrorCode::kInternal, "snapshot: data of an unknown blob");
      return target->write_at(header.at("offset").get<std::uint64_t>(), payload);
    }
    return restore(header, host);
  } catch (const json::exception& error) {
    return Status(ErrorCode::kInternal, std::string("snapshot: bad record: ") + error.what());
  }
}

Status SnapshotReader::restore(const json& state, LibraryHost& host) {
  const auto each = [&](const char* key) {
    return state.contains(key) ? state.at(key) : json::array();
  };
  const auto named_blob = [this](const json& number) { return blob(number); };
  LibraryRecords records;
  for (const json& j : each("accounts")) {
    records.accounts.push_back(Account{j.at("id").get<std::string>(),
                                       j.at("name").get<std::string>(),
                                       optional_from<std::string>(j.at("ftp_password")),
                                       j.at("quota_bytes").get<std::uint64_t>()});
  }
  for (const json& j : each("clients")) {
    records.clients.push_back(ApiClient{j.at("id").get<std::string>(),
                                        j.at("secret").get<std::string>(),
                                        j.at("account").get<std::string>()});
  }
  for (const json& j : each("images")) {
    auto image = image_from_json(j, named_blob);
    if (!image.ok()) return image.status();
    records.images.push_back(std::move(*image));
  }
  for (const json& j : each("servers")) {
    Server server;
    server.id = j.at("id").get<std::string>();
    server.owner = j.at("owner").get<std::string>();
    server.name = j.at("name").get<std::string>();
    server.image = j.at("image").get<std::string>();
    server.server_type = j.at("server_type").get<std::string>();
    server.compatibility_mode = j.at("compatibility_mode").get<bool>();
    server.created_at = time_from(j.at("created_at"));
    server.disk = blob(j.at("disk"));
    records.servers.push_back(std::move(server));
  }
  for (const json& j : each("incoming")) {
    records.incoming[j.at("account").get<std::string>()][j.at("name").get<std::string>()] =
        IncomingFile{blob(j.at("content")), time_from(j.at("modified_at"))};
  }
  for (const json& j : each("jobs")) {
    records.jobs.push_back({time_from(j.at("due")), j.at("image").get<std::string>()});
  }
  // Snapshots before the Library named blobs: new names start past the files named.
  records.next_blob_key = state.value("next_blob_key", BlobKey{1});
  if (!named_files_.empty()) records.next_blob_key = std::max(records.next_blob_key, *named_files_.rbegin() + 1);
  std::vector<TokenStore::Held> tokens;
  for (const json& j : each("tokens")) {
    tokens.push_back({j.at("token").get<std::string>(), j.at("account").get<std::string>(),
                      time_from(j.at("expires_at"))});
  }
  blobs_.clear();
  return host.restore(std::move(records), tokens);
}

}  // namespace imagelib::net
