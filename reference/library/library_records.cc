// Library::records and Library::restore: the Library's whole state as plain
// records and back, so an environment can save it and start from it again
// (net/ compacts its journal this way). Blobs are shared, not copied.
#include <algorithm>

#include "reference/library/library.h"

namespace imagelib {
namespace {

Status invalid_record(const std::string& what) {
  return Status(ErrorCode::kInternal, "restore: " + what);
}

// Adds each record by its id; a repeated id is an error.
template <typename Record>
Status insert_each(std::vector<Record> from, std::map<std::string, Record>& into) {
  for (Record& record : from) {
    const std::string id = record.id;
    if (!into.emplace(id, std::move(record)).second) return invalid_record(id + " twice");
  }
  return {};
}

}  // namespace

LibraryRecords Library::records() const {
  LibraryRecords records;
  for (const auto& [id, account] : accounts_) records.accounts.push_back(account);
  for (const auto& [id, client] : clients_) records.clients.push_back(client);
  for (const auto& [id, image] : images_) records.images.push_back(image);
  for (const auto& [id, server] : servers_) records.servers.push_back(server);
  records.incoming = incoming_;
  for (const Job& job : jobs_) records.jobs.push_back({job.due, job.image});
  records.next_blob_key = next_blob_key_;
  return records;
}

Status Library::restore(LibraryRecords records) {
  std::map<AccountId, Account> accounts;
  std::map<ClientId, ApiClient> clients;
  std::map<ImageId, Image> images;
  std::map<ServerId, Server> servers;
  IMAGELIB_RETURN_IF_ERROR(insert_each(std::move(records.accounts), accounts));
  IMAGELIB_RETURN_IF_ERROR(insert_each(std::move(records.clients), clients));
  IMAGELIB_RETURN_IF_ERROR(insert_each(std::move(records.images), images));
  IMAGELIB_RETURN_IF_ERROR(insert_each(std::move(records.servers), servers));
  for (const auto& [id, client] : clients) {
    if (accounts.count(client.account) == 0)
      return invalid_record("client " + id + " of no account");
  }
  for (const auto& [id, server] : servers) {
    if (accounts.count(server.owner) == 0 || images.count(server.image) == 0) {
      return invalid_record("server " + id + " of an unknown account or image");
    }
  }
  for (const auto& [account, files] : records.incoming) {
    if (accounts.count(account) == 0) return invalid_record("incoming/ of an unknown account");
    for (const auto& [name, file] : files) {
      if (!file.content) return invalid_record("incoming/" + name + " without content");
    }
  }
  std::stable_sort(records.jobs.begin(), records.jobs.end(),
                   [](const auto& a, const auto& b) { return a.due < b.due; });
  std::vector<Job> jobs;
  for (const LibraryRecords::JobRecord& job : records.jobs) {
    auto image = images.find(job.image);
    if (image == images.end() || !image->second.file) return invalid_record("job of no image");
    jobs.push_back(Job{job.due, jobs.size(), job.image});
  }

  for (const auto& [id, record] : accounts) ids_.reserve(id);
  for (const auto& [id, record] : clients) ids_.reserve(id);
  for (const auto& [id, record] : images) ids_.reserve(id);
  for (const auto& [id, record] : servers) ids_.reserve(id);
  accounts_ = std::move(accounts);
  clients_ = std::move(clients);
  images_ = std::move(images);
  servers_ = std::move(servers);
  incoming_ = std::move(records.incoming);
  job_sequence_ = jobs.size();
  jobs_ = std::move(jobs);
  next_blob_key_ = std::max(next_blob_key_, records.next_blob_key);
  return {};
}

}  // namespace imagelib
