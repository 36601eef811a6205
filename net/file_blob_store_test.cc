#include "net/file_blob_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

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

TEST(FileBlobStoreOpen, FailsForAMissingDirectory) {
  auto store = FileBlobStore::open_store("/nonexistent/imagelib-blobs");
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace imagelib::net
