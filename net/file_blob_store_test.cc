#include "net/file_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "net/temp_dir_testing.h"

namespace imagelib::net {
namespace {

class FileBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "blobstore-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    auto store = FileBlobStore::open_store(directory_);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_ = *store;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string directory_;
  std::shared_ptr<FileBlobStore> store_;
};

TEST_F(FileBlobStoreTest, WritesAndReadsBackAtAnyOffset) {
  auto blob = store_->create(1);
  ASSERT_TRUE(blob->write_at(10, to_bytes("hello")).ok());
  EXPECT_EQ(blob->size(), 15u);
  Bytes out(15);
  ASSERT_TRUE(blob->read_at(0, out).ok());
  Bytes expected(10, 0);
  for (char c : std::string("hello")) expected.push_back(static_cast<std::uint8_t>(c));
  EXPECT_EQ(out, expected);
}

TEST_F(FileBlobStoreTest, RefusesReadsPastTheEnd) {
  auto blob = store_->create(2);
  ASSERT_TRUE(blob->write_at(0, to_bytes("abc")).ok());
  Bytes out(2);
  EXPECT_EQ(blob->read_at(2, out).code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(blob->read_at(4, MutableByteView{}).code(), ErrorCode::kOutOfRange);
}

TEST_F(FileBlobStoreTest, ResizeCutsAndExtendsWithZeros) {
  auto blob = store_->create(3);
  ASSERT_TRUE(blob->write_at(0, to_bytes("abcdef")).ok());
  ASSERT_TRUE(blob->resize(2).ok());
  ASSERT_TRUE(blob->resize(4).ok());
  auto all = read_all(*blob);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (Bytes{'a', 'b', 0, 0}));
}

TEST_F(FileBlobStoreTest, ZerosOverDataReadAsZeros) {
  auto blob = store_->create(4);
  Bytes data(200 * 1024, 0x5a);
  ASSERT_TRUE(blob->write_at(0, data).ok());
  ASSERT_TRUE(blob->write_at(64 * 1024, Bytes(64 * 1024, 0)).ok());
  Bytes out(64 * 1024);
  ASSERT_TRUE(blob->read_at(64 * 1024, out).ok());
  EXPECT_TRUE(is_all_zero(out));
  ASSERT_TRUE(blob->read_at(128 * 1024, out).ok());
  EXPECT_EQ(out, Bytes(64 * 1024, 0x5a));
}

TEST_F(FileBlobStoreTest, LargeZeroRegionsStaySparse) {
  auto blob = store_->create(5);
  const std::uint64_t far = 4 * kGiB;
  ASSERT_TRUE(blob->write_at(far, to_bytes("end")).ok());
  EXPECT_EQ(blob->size(), far + 3);
  const auto extents = blob->data_extents();
  ASSERT_FALSE(extents.empty());
  std::uint64_t covered = 0;
  for (const Extent& extent : extents) covered += extent.length;
  EXPECT_LT(covered, 16 * kMiB);  // the 4 GiB hole is not data
  Bytes out(3);
  ASSERT_TRUE(blob->read_at(far, out).ok());
  EXPECT_EQ(out, to_bytes("end"));
}

TEST_F(FileBlobStoreTest, BlobsLeaveNoFileBehind) {
  {
    auto blob = store_->create(6);
    ASSERT_TRUE(blob->write_at(0, to_bytes("data")).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(directory_));
}

// SPEC §6: the number of stored files does not decide the descriptors held.
TEST(FileBlobStoreOpenFiles, ManyBlobsShareABoundedNumberOfDescriptors) {
  TempDir dir;
  auto store = FileBlobStore::open_store(dir.path(), 4);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  std::vector<std::shared_ptr<Blob>> blobs;
  for (int i = 0; i < 100; ++i) {
    blobs.push_back((*store)->create(static_cast<BlobKey>(i + 1)));
    ASSERT_TRUE(blobs.back()->write_at(0, to_bytes("blob " + std::to_string(i))).ok());
    EXPECT_LE((*store)->open_files().open_count(), 4u);
  }
  for (int round = 0; round < 2; ++round) {
    for (int i = 99; i >= 0; --i) {
      auto content = read_all(*blobs[static_cast<std::size_t>(i)]);
      ASSERT_TRUE(content.ok()) << content.status().to_string();
      EXPECT_EQ(*content, to_bytes("blob " + std::to_string(i)));
      EXPECT_LE((*store)->open_files().open_count(), 4u);
    }
  }
  blobs.clear();
  EXPECT_EQ((*store)->open_files().open_count(), 0u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(FileBlobStoreOpenFiles, ReadsOnSeveralThreadsSeeTheirOwnBlob) {
  TempDir dir;
  auto store = FileBlobStore::open_store(dir.path(), 2);
  ASSERT_TRUE(store.ok());
  std::vector<std::shared_ptr<Blob>> blobs;
  for (int i = 0; i < 16; ++i) {
    blobs.push_back((*store)->create(static_cast<BlobKey>(i + 1)));
    ASSERT_TRUE(blobs.back()->write_at(0, Bytes(64 * 1024, static_cast<std::uint8_t>(i + 1))).ok());
  }
  std::atomic<int> wrong = 0;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int n = 0; n < 200; ++n) {
        const std::size_t i = static_cast<std::size_t>((t * 7 + n) % 16);
        auto content = read_all(*blobs[i]);
        if (!content.ok() || *content != Bytes(64 * 1024, static_cast<std::uint8_t>(i + 1))) ++wrong;
      }
    });
  }
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(wrong, 0);
}

// A restart adopts the files a snapshot names and removes the rest.
TEST(FileBlobStoreFiles, AdoptedFilesAreKeptAndWhatNoBlobHoldsIsRemoved) {
  TempDir dir;
  std::ofstream(dir.file("3.blob")) << "named by the snapshot, and a tail written after it";
  std::ofstream(dir.file("7.blob")) << "left by a process that died";
  std::ofstream(dir.file("keep.txt")) << "not a blob";
  auto store = FileBlobStore::open_store(dir.path());
  ASSERT_TRUE(store.ok());
  auto adopted = (*store)->adopt(3, 17);
  ASSERT_TRUE(adopted.ok()) << adopted.status().to_string();
  EXPECT_EQ(read_all(**adopted).value(), to_bytes("named by the snap"));
  EXPECT_FALSE((*store)->adopt(5, 1).ok());  // a file the snapshot names is missing: said so
  auto fresh = (*store)->create(9);
  ASSERT_TRUE(fresh->write_at(0, to_bytes("new")).ok());
  const std::string fresh_path = dir.file("9.blob");  // the name the Library gave
  (*store)->collect_garbage({3});
  EXPECT_TRUE(std::filesystem::exists(dir.file("3.blob")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("7.blob")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("5.blob")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("keep.txt")));
  EXPECT_TRUE(std::filesystem::exists(fresh_path));
  // The named file outlives its blob (the journal still names it) until a
  // collection for a snapshot that does not name it; a new blob's does not.
  adopted->reset();
  fresh.reset();
  EXPECT_TRUE(std::filesystem::exists(dir.file("3.blob")));
  EXPECT_FALSE(std::filesystem::exists(fresh_path));
  (*store)->collect_garbage({3});
  EXPECT_TRUE(std::filesystem::exists(dir.file("3.blob")));
  (*store)->collect_garbage({});
  EXPECT_FALSE(std::filesystem::exists(dir.file("3.blob")));
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A new blob's name may be a file a process that died left: it starts empty.
TEST(FileBlobStoreFiles, ANewBlobEmptiesAFileLeftUnderItsName) {
  TempDir dir;
  std::ofstream(dir.file("4.blob")) << "written by a process that died";
  auto store = FileBlobStore::open_store(dir.path());
  ASSERT_TRUE(store.ok());
  auto blob = (*store)->create(4);
  EXPECT_EQ(blob->size(), 0u);
  ASSERT_TRUE(blob->write_at(0, to_bytes("new")).ok());
  EXPECT_EQ(file_text(dir.file("4.blob")), "new");
}

// Replaying a journal of uploads kept by reference: the files hold what the
// first run wrote; blobs only track sizes until finish_replay() cuts each
// file to its blob's size.
TEST(FileBlobStoreReplay, WritesAndResizesTouchNoFileUntilTheReplayEnds) {
  TempDir dir;
  std::ofstream(dir.file("1.blob")) << "hello world, and a tail never acknowledged";
  std::ofstream(dir.file("2.blob")) << "a file whose blob dies in the replay";
  auto store = FileBlobStore::open_store(dir.path());
  ASSERT_TRUE(store.ok());
  (*store)->start_replay();
  auto upload = (*store)->create(1);
  ASSERT_TRUE(upload->write_at(0, Bytes(20, 0)).ok());  // what the journal counts; never looked at
  ASSERT_TRUE(upload->resize(0).ok());                  // a STOR over it
  ASSERT_TRUE(upload->write_at(0, Bytes(11, 0)).ok());
  EXPECT_EQ(upload->size(), 11u);
  EXPECT_EQ(read_all(*upload).value(), to_bytes("hello world"));
  (*store)->create(2).reset();  // dies: the file stays while replaying
  EXPECT_TRUE(std::filesystem::exists(dir.file("2.blob")));
  EXPECT_EQ(file_text(dir.file("1.blob")), "hello world, and a tail never acknowledged");

  std::vector<std::string> notes;
  ASSERT_TRUE((*store)->finish_replay(false, notes).ok());
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(file_text(dir.file("1.blob")), "hello world");
  ASSERT_TRUE(upload->write_at(11, to_bytes("!")).ok());  // real writes again
  EXPECT_EQ(file_text(dir.file("1.blob")), "hello world!");
  (*store)->collect_garbage({});
  EXPECT_FALSE(std::filesystem::exists(dir.file("2.blob")));
  EXPECT_TRUE(std::filesystem::exists(dir.file("1.blob")));
}

TEST(FileBlobStoreReplay, AMissingOrShortFileStopsTheStartUnlessRepaired) {
  for (const bool repair : {false, true}) {
    TempDir dir;
    std::ofstream(dir.file("2.blob")) << "short";
    auto store = FileBlobStore::open_store(dir.path());
    ASSERT_TRUE(store.ok());
    (*store)->start_replay();
    auto missing = (*store)->create(1);
    ASSERT_TRUE(missing->write_at(0, Bytes(8, 0)).ok());
    auto shortened = (*store)->create(2);
    ASSERT_TRUE(shortened->write_at(0, Bytes(100, 0)).ok());
    std::vector<std::string> notes;
    const Status finished = (*store)->finish_replay(repair, notes);
    if (!repair) {
      ASSERT_FALSE(finished.ok());
      EXPECT_NE(finished.message().find(dir.file("1.blob")), std::string::npos) << finished.message();
      EXPECT_NE(finished.message().find("--repair"), std::string::npos) << finished.message();
      continue;
    }
    ASSERT_TRUE(finished.ok()) << finished.to_string();
    EXPECT_EQ(notes.size(), 2u);
    EXPECT_EQ(read_all(*missing).value(), Bytes(8, 0));
    Bytes expected = to_bytes("short");
    expected.resize(100, 0);
    EXPECT_EQ(read_all(*shortened).value(), expected);
  }
}

TEST(FileBlobStoreOpen, FailsForAMissingDirectory) {
  auto store = FileBlobStore::open_store("/nonexistent/imagelib-blobs");
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace imagelib::net
