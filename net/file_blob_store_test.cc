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
  auto blob = store_->create();
  ASSERT_TRUE(blob->write_at(10, to_bytes("hello")).ok());
  EXPECT_EQ(blob->size(), 15u);
  Bytes out(15);
  ASSERT_TRUE(blob->read_at(0, out).ok());
  Bytes expected(10, 0);
  for (char c : std::string("hello")) expected.push_back(static_cast<std::uint8_t>(c));
  EXPECT_EQ(out, expected);
}

TEST_F(FileBlobStoreTest, RefusesReadsPastTheEnd) {
  auto blob = store_->create();
  ASSERT_TRUE(blob->write_at(0, to_bytes("abc")).ok());
  Bytes out(2);
  EXPECT_EQ(blob->read_at(2, out).code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(blob->read_at(4, MutableByteView{}).code(), ErrorCode::kOutOfRange);
}

TEST_F(FileBlobStoreTest, ResizeCutsAndExtendsWithZeros) {
  auto blob = store_->create();
  ASSERT_TRUE(blob->write_at(0, to_bytes("abcdef")).ok());
  ASSERT_TRUE(blob->resize(2).ok());
  ASSERT_TRUE(blob->resize(4).ok());
  auto all = read_all(*blob);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (Bytes{'a', 'b', 0, 0}));
}

TEST_F(FileBlobStoreTest, ZerosOverDataReadAsZeros) {
  auto blob = store_->create();
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
  auto blob = store_->create();
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
    auto blob = store_->create();
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
    blobs.push_back((*store)->create());
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
    blobs.push_back((*store)->create());
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
  auto fresh = (*store)->create();
  ASSERT_TRUE(fresh->write_at(0, to_bytes("new")).ok());
  const auto* fresh_file = dynamic_cast<const FileBlob*>(fresh.get());
  ASSERT_NE(fresh_file, nullptr);
  EXPECT_GT(fresh_file->key(), 7u);  // numbered past the files there
  const std::string fresh_path = dir.file(std::to_string(fresh_file->key()) + ".blob");
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

TEST(FileBlobStoreOpen, FailsForAMissingDirectory) {
  auto store = FileBlobStore::open_store("/nonexistent/imagelib-blobs");
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace imagelib::net
