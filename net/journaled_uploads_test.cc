// With blobs in files (a FileBlobStore), uploads and decoded disks are
// journaled by the file that holds them (net/journal.md): the journal holds
// metadata only, a restart copies and decodes nothing, and a crash at any
// point loses nothing that was acknowledged.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

#include "net/file_blob_store.h"
#include "net/journaled_core_testing.h"

namespace imagelib::net {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

// Bytes no two offsets of which repeat in a short period, so a misplaced piece shows.
Bytes upload_content(std::size_t size, std::uint8_t seed) {
  Bytes bytes(size);
  std::uint32_t x = 2463534242u + seed;
  for (std::uint8_t& b : bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  return bytes;
}

struct Account {
  ProvisionedClient client;
  std::string token;
  std::string password;
};

Account log_in(LibraryHost& host, const ProvisionedClient& client) {
  Account account{client, "Bearer " + new_token(host, client), ""};
  const HttpResponse reset = call(host, "POST", "/1.0/accounts/" + client.account + "/reset_ftp_password", account.token);
  EXPECT_EQ(reset.status, 200);
  account.password = json::parse(reset.body).at("library_ftp_password").get<std::string>();
  return account;
}

std::uintmax_t blob_bytes(const std::string& directory) {
  std::uintmax_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) total += entry.file_size();
  return total;
}

// Each blob file's size and modification time.
std::map<std::string, std::pair<std::uintmax_t, std::int64_t>> blob_files_written(const std::string& directory) {
  std::map<std::string, std::pair<std::uintmax_t, std::int64_t>> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    struct stat info {};
    ::stat(entry.path().c_str(), &info);
    files[entry.path().filename().string()] = {entry.file_size(), info.st_mtim.tv_sec * 1000000000LL + info.st_mtim.tv_nsec};
  }
  return files;
}

// Uploads `content` to incoming/`name` in a session of its own; its replies.
std::string upload_in_session(LibraryHost& host, const Account& account, const std::string& name,
                              ByteView content, std::size_t piece = 64 * 1024) {
  auto session = host.open_ftp_session("192.0.2.9");
  const std::string replies =
      upload(*session, account.client.account, account.password, name, content, kStart, true, piece);
  session->on_control_closed(kStart);
  return replies;
}

class JournaledUploads : public ::testing::Test {
 protected:
  void SetUp() override {
    setup_ = setup_in(dir_);
    std::filesystem::create_directories(dir_.file("blobs"));
  }
  Result<JournaledCore> start(const std::string& data_dir, Timestamp at, bool repair = false) {
    auto store = FileBlobStore::open_store(data_dir + "/blobs");
    if (!store.ok()) return store.status();
    setup_.store = *store;
    setup_.repair = repair;
    auto core = open_journaled_core(io_, data_dir + "/journal", setup_, at);
    if (core.ok()) (*store)->collect_garbage(core->named_blob_files);
    return core;
  }

  TempDir dir_;
  asio::io_context io_;
  CoreSetup setup_;
};

TEST_F(JournaledUploads, AreJournaledByTheirFileAndARestartCopiesNothing) {
  const Bytes first = upload_content(3 * 1024 * 1024 + 17, 1);
  const Bytes second = upload_content(1024 * 1024, 2);
  std::string state;
  std::string contents;
  std::uintmax_t journal_before = 0;
  {
    auto core = start(dir_.path(), kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    LibraryHost& host = *core->host;
    const Account account = log_in(host, core->clients.front());
    journal_before = std::filesystem::file_size(dir_.file("journal"));
    EXPECT_NE(upload_in_session(host, account, "first.img", first).find("226 "), std::string::npos);
    // A STOR over an upload, in reads of another size: the file holds the second's bytes.
    upload_in_session(host, account, "twice.img", first, 4096);
    EXPECT_NE(upload_in_session(host, account, "twice.img", second).find("226 "), std::string::npos);
    // The bytes are in the blob files, not in the journal.
    EXPECT_LT(std::filesystem::file_size(dir_.file("journal")) - journal_before, 64u * 1024u);
    state = host.library().dump_state();
    contents = contents_of(host.library());
    EXPECT_NE(contents.find(std::string(second.begin(), second.end())), std::string::npos);
  }
  for (int restart = 0; restart < 2; ++restart) {
    SCOPED_TRACE("restart " + std::to_string(restart + 1));
    const std::uintmax_t stored = blob_bytes(dir_.file("blobs"));
    auto core = start(dir_.path(), kStart + std::chrono::hours(1));
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    EXPECT_EQ(core->host->library().dump_state(), state);
    EXPECT_EQ(contents_of(core->host->library()), contents);
    // Nothing copied: the files are as many bytes as the uploads, once.
    EXPECT_LE(blob_bytes(dir_.file("blobs")), stored);
    EXPECT_LT(blob_bytes(dir_.file("blobs")), first.size() + second.size() + 4 * 5 * 65536);
    EXPECT_LT(std::filesystem::file_size(dir_.file("journal")), 64u * 1024u);
  }
}

// A copy of the data directory taken while the server runs is what a crash
// (SIGKILL) leaves: a restart from it has every acknowledged upload whole,
// and of one in flight a prefix of what was sent, which a client resumes.
TEST_F(JournaledUploads, ACrashKeepsWhatWasAcknowledgedAndAPrefixOfTheRest) {
  const Bytes done = upload_content(2 * 1024 * 1024, 3);
  const Bytes running = upload_content(Journal::kCountedRecordLimit + 3 * 1024 * 1024, 4);
  TempDir crashed;
  {
    auto core = start(dir_.path(), kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    LibraryHost& host = *core->host;
    const Account account = log_in(host, core->clients.front());
    ASSERT_NE(upload_in_session(host, account, "done.img", done).find("226 "), std::string::npos);
    auto in_flight = host.open_ftp_session("192.0.2.9");
    upload(*in_flight, account.client.account, account.password, "running.img", running, kStart, false);
    std::filesystem::copy(dir_.path(), crashed.path(), std::filesystem::copy_options::recursive |
                                                           std::filesystem::copy_options::overwrite_existing);
  }
  auto core = start(crashed.path(), kStart + std::chrono::hours(1));
  ASSERT_TRUE(core.ok()) << core.status().to_string();
  Library& library = core->host->library();
  const LibraryRecords records = library.records();
  const auto& files = records.incoming.begin()->second;
  ASSERT_EQ(files.count("done.img"), 1u);
  EXPECT_EQ(read_all(*files.at("done.img").content).value(), done);
  ASSERT_EQ(files.count("running.img"), 1u);
  const Bytes kept = read_all(*files.at("running.img").content).value();
  EXPECT_GE(kept.size(), Journal::kCountedRecordLimit);  // a long upload keeps most of what was sent
  EXPECT_LE(kept.size(), running.size());
  EXPECT_TRUE(std::equal(kept.begin(), kept.end(), running.begin()));
}

// A registration's decoded disk is the file the decode wrote: a restart
// neither decodes it again nor rewrites any file.
TEST_F(JournaledUploads, ARestartKeepsTheDecodedDiskWithoutDecodingAgain) {
  const Bytes image = disk_content(9);
  BlobKey source_file = 0;
  std::string state;
  std::string contents;
  {
    auto core = start(dir_.path(), kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    LibraryHost& host = *core->host;
    const Account account = log_in(host, core->clients.front());
    ASSERT_NE(upload_in_session(host, account, "disk.img", image).find("226 "), std::string::npos);
    const HttpResponse registered =
        call(host, "POST", "/1.0/images", account.token, {{"source", "disk.img"}, {"arch", "x86_64"}});
    ASSERT_EQ(registered.status, 201) << registered.body;
    run_jobs_to_the_end(io_, host);
    state = host.library().dump_state();
    contents = contents_of(host.library());
    EXPECT_NE(state.find("available"), std::string::npos);
    for (const Image& registered_image : host.library().records().images) {
      if (!registered_image.official) source_file = dynamic_cast<const FileBlob&>(*registered_image.file).key();
    }
  }
  // Were the upload decoded again, a source of zeros would give another
  // disk and digest: the restart keeps what the first decode gave.
  std::ofstream(dir_.file("blobs/" + std::to_string(source_file) + ".blob"), std::ios::binary)
      .write(reinterpret_cast<const char*>(Bytes(image.size(), 0).data()), static_cast<std::streamsize>(image.size()));
  contents.replace(contents.find(std::string(image.begin(), image.end())), image.size(), std::string(image.size(), '\0'));
  auto written = blob_files_written(dir_.file("blobs"));
  for (int restart = 0; restart < 2; ++restart) {
    auto core = start(dir_.path(), kStart + std::chrono::hours(1));
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    EXPECT_EQ(core->host->library().dump_state(), state);
    EXPECT_EQ(contents_of(core->host->library()), contents);
    auto now = blob_files_written(dir_.file("blobs"));
    // The first generation's replay provisions the official image again, writing its files.
    for (const Image& official : core->host->library().records().images) {
      if (!official.official) continue;
      for (const auto& blob : {official.file, official.disk}) {
        const std::string name = std::to_string(dynamic_cast<const FileBlob&>(*blob).key()) + ".blob";
        written.erase(name);
        now.erase(name);
      }
    }
    EXPECT_EQ(now, written);
  }
}

// An upload whose file is deleted under it is refused mid-transfer; the
// journal says so, and the replay ends the upload at the same byte.
TEST_F(JournaledUploads, AnUploadRefusedMidwayReplaysToTheSameState) {
  const Bytes content = upload_content(512 * 1024, 5);
  std::string state;
  {
    auto core = start(dir_.path(), kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    LibraryHost& host = *core->host;
    const Account account = log_in(host, core->clients.front());
    auto uploader = host.open_ftp_session("192.0.2.9");
    upload(*uploader, account.client.account, account.password, "gone.img", ByteView(content).first(128 * 1024),
           kStart, false);
    auto deleter = host.open_ftp_session("192.0.2.9");
    upload(*deleter, account.client.account, account.password, "other.img", ByteView(content).first(10), kStart);
    EXPECT_NE(send_ftp(*deleter, "DELE incoming/gone.img\r\n", kStart).find("250 "), std::string::npos);
    std::string replies;
    for (const FtpServerAction& action : uploader->on_data_bytes(1, ByteView(content).subspan(128 * 1024), kStart)) {
      if (const auto* reply = std::get_if<FtpSendReply>(&action)) replies += reply->text;
    }
    EXPECT_NE(replies.find("The file being written is gone."), std::string::npos) << replies;
    // Bytes after the refusal are for no upload.
    uploader->on_data_bytes(1, ByteView(content).first(1000), kStart);
    uploader->on_data_closed(1, DataCloseReason::kFinished, kStart);
    send_ftp(*uploader, "STOR incoming/again.img\r\n", kStart);
    state = host.library().dump_state();
  }
  auto core = start(dir_.path(), kStart + std::chrono::hours(1));
  ASSERT_TRUE(core.ok()) << core.status().to_string();
  EXPECT_EQ(core->host->library().dump_state(), state);
}

// A journal that carries its uploads' bytes (of a server before blobs by
// reference) is replayed into blob files and compacted into one by reference.
TEST_F(JournaledUploads, AJournalThatCarriesTheBytesBecomesOneByReference) {
  const Bytes content = upload_content(300 * 1024, 6);
  std::string state;
  std::string contents;
  {
    setup_.store = std::make_shared<MemoryBlobStore>();
    auto core = open_journaled_core(io_, dir_.file("journal"), setup_, kStart);
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    LibraryHost& host = *core->host;
    const Account account = log_in(host, core->clients.front());
    ASSERT_NE(upload_in_session(host, account, "old.img", content).find("226 "), std::string::npos);
    state = host.library().dump_state();
    contents = contents_of(host.library());
  }
  EXPECT_GT(std::filesystem::file_size(dir_.file("journal")), content.size());  // the bytes are in it
  for (int restart = 0; restart < 2; ++restart) {
    auto core = start(dir_.path(), kStart + std::chrono::hours(1));
    ASSERT_TRUE(core.ok()) << core.status().to_string();
    EXPECT_EQ(core->host->library().dump_state(), state);
    EXPECT_EQ(contents_of(core->host->library()), contents);
    EXPECT_LT(std::filesystem::file_size(dir_.file("journal")), content.size());
  }
}

}  // namespace
}  // namespace imagelib::net
