// SPEC §3 "The FTP namespace of an account".
#include <gtest/gtest.h>

#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

std::vector<std::string> names(const Result<std::vector<FtpEntry>>& entries) {
  std::vector<std::string> out;
  for (const auto& e : *entries) out.push_back(e.name);
  return out;
}

TEST(FtpNamespace, RootHoldsExactlyIncomingAndImages) {
  LibraryFixture f;
  auto root = f.library.ftp_list(f.main, FtpPath{});
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(names(root), (std::vector<std::string>{"images", "incoming"}));
  for (const auto& e : *root) EXPECT_TRUE(e.is_folder);
}

TEST(FtpNamespace, IncomingAcceptsStoreAndListsTheFile) {
  LibraryFixture f;
  f.upload(f.main, "disk.img", to_bytes("hello"));
  auto listing = f.library.ftp_list(f.main, FtpPath{FtpFolder::kIncoming, ""});
  EXPECT_EQ(names(listing), std::vector<std::string>{"disk.img"});
  EXPECT_EQ((*listing)[0].size, 5u);
  EXPECT_EQ(f.library.ftp_stat(f.main, incoming("disk.img"))->size, 5u);
  EXPECT_EQ(f.library.ftp_stat(f.main, incoming("disk.img"))->modified_at, f.now);
}

TEST(FtpNamespace, StoreReplacesAppendExtendsResumeKeepsWhatIsThere) {
  LibraryFixture f;
  f.upload(f.main, "a", to_bytes("0123456789"));
  auto at = f.library.ftp_open_for_write(f.main, incoming("a"), WriteMode::kAppend, 0, f.now);
  ASSERT_EQ(*at, 10u);
  ASSERT_TRUE(f.library.ftp_write(f.main, incoming("a"), *at, to_bytes("AB"), f.now).ok());
  at = f.library.ftp_open_for_write(f.main, incoming("a"), WriteMode::kResume, 4, f.now);
  ASSERT_EQ(*at, 4u);
  ASSERT_TRUE(f.library.ftp_write(f.main, incoming("a"), *at, to_bytes("xy"), f.now).ok());
  EXPECT_EQ(*f.library.ftp_read(f.main, incoming("a"), 0, 100), to_bytes("0123xy6789AB"));
  at = f.library.ftp_open_for_write(f.main, incoming("a"), WriteMode::kReplace, 0, f.now);
  ASSERT_EQ(*at, 0u);
  EXPECT_EQ(f.library.ftp_stat(f.main, incoming("a"))->size, 0u);
}

TEST(FtpNamespace, RetrieveFromAnOffset) {
  LibraryFixture f;
  f.upload(f.main, "a", to_bytes("0123456789"));
  EXPECT_EQ(*f.library.ftp_read(f.main, incoming("a"), 7, 100), to_bytes("789"));
  EXPECT_EQ(*f.library.ftp_read(f.main, incoming("a"), 2, 3), to_bytes("234"));
  EXPECT_TRUE(f.library.ftp_read(f.main, incoming("a"), 10, 100)->empty());
  EXPECT_TRUE(f.library.ftp_read(f.main, incoming("a"), 99, 100)->empty());
}

TEST(FtpNamespace, DeleteAndRenameInsideIncoming) {
  LibraryFixture f;
  f.upload(f.main, "a", to_bytes("one"));
  f.upload(f.main, "b", to_bytes("two"));
  ASSERT_TRUE(f.library.ftp_rename(f.main, incoming("a"), incoming("c")).ok());
  EXPECT_EQ(*f.library.ftp_read(f.main, incoming("c"), 0, 10), to_bytes("one"));
  ASSERT_TRUE(f.library.ftp_delete(f.main, incoming("b")).ok());
  EXPECT_EQ(names(f.library.ftp_list(f.main, FtpPath{FtpFolder::kIncoming, ""})),
            std::vector<std::string>{"c"});
  EXPECT_EQ(f.library.ftp_delete(f.main, incoming("b")).code(), ErrorCode::kNotFound);
  EXPECT_EQ(f.library.ftp_rename(f.main, incoming("zz"), incoming("y")).code(), ErrorCode::kNotFound);
}

TEST(FtpNamespace, NoSubfoldersAnywhere) {
  LibraryFixture f;
  EXPECT_EQ(f.library.ftp_make_folder(f.main, incoming("sub")).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(f.library.ftp_make_folder(f.main, FtpPath{FtpFolder::kRoot, "x"}).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(f.library.ftp_remove_folder(f.main, FtpPath{FtpFolder::kIncoming, ""}).code(),
            ErrorCode::kPermissionDenied);
}

TEST(FtpNamespace, BadFileNamesCannotBeCreated) {
  LibraryFixture f;
  for (const char* bad : {"a b", "semi;colon", "star*", "caf\xc3\xa9"}) {
    EXPECT_EQ(f.library.ftp_open_for_write(f.main, incoming(bad), WriteMode::kReplace, 0, f.now)
                  .status()
                  .code(),
              ErrorCode::kCannotCreate)
        << bad;
  }
  f.upload(f.main, "good", to_bytes("x"));
  EXPECT_EQ(f.library.ftp_rename(f.main, incoming("good"), incoming("bad name")).code(),
            ErrorCode::kPermissionDenied);
}

TEST(FtpNamespace, RootIsReadOnly) {
  LibraryFixture f;
  EXPECT_EQ(f.library.ftp_open_for_write(f.main, FtpPath{FtpFolder::kRoot, "x.img"},
                                         WriteMode::kReplace, 0, f.now)
                .status()
                .code(),
            ErrorCode::kCannotCreate);
  EXPECT_EQ(f.library.ftp_delete(f.main, FtpPath{FtpFolder::kRoot, "incoming"}).code(),
            ErrorCode::kPermissionDenied);
}

TEST(FtpNamespace, ImagesIsReadOnlyButReadable) {
  LibraryFixture f;
  const Bytes disk = sample_disk();
  const Image image = f.add_image(f.main, "disk.img", disk);
  for (WriteMode mode : {WriteMode::kReplace, WriteMode::kAppend, WriteMode::kResume}) {
    EXPECT_EQ(f.library.ftp_open_for_write(f.main, images(image.id), mode, 0, f.now).status().code(),
              ErrorCode::kCannotCreate);
  }
  EXPECT_EQ(f.library.ftp_open_for_write(f.main, images("new"), WriteMode::kReplace, 0, f.now)
                .status()
                .code(),
            ErrorCode::kCannotCreate);
  EXPECT_EQ(f.library.ftp_delete(f.main, images(image.id)).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(f.library.ftp_rename(f.main, images(image.id), incoming("x")).code(),
            ErrorCode::kPermissionDenied);
  EXPECT_EQ(f.library.ftp_make_folder(f.main, images("x")).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(*f.library.ftp_read(f.main, images(image.id), 0, disk.size()), disk);
  EXPECT_EQ(*f.library.ftp_read(f.main, images(image.id), 100, 5),
            Bytes(disk.begin() + 100, disk.begin() + 105));
}

TEST(FtpNamespace, ImagesListsOnlyTheAccountsOwnImagesById) {
  LibraryFixture f;
  const Image own = f.add_image(f.main, "a.img", sample_disk());
  f.add_image(f.alt, "b.img", sample_disk(), /*is_public=*/true);
  OfficialImageSpec official{.name = "Ubuntu", .content = sample_disk()};
  ASSERT_TRUE(f.library.add_official_image(official, f.now).ok());
  EXPECT_EQ(names(f.library.ftp_list(f.main, FtpPath{FtpFolder::kImages, ""})),
            std::vector<std::string>{own.id});
}

TEST(FtpNamespace, AnotherAccountsFilesAreUnreachable) {
  LibraryFixture f;
  f.upload(f.alt, "secret.img", to_bytes("alt's"));
  const Image image = f.add_image(f.alt, "alt.img", sample_disk(), /*is_public=*/true);
  EXPECT_EQ(f.library.ftp_read(f.main, incoming("secret.img"), 0, 10).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(f.library.ftp_read(f.main, images(image.id), 0, 10).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(f.library.ftp_delete(f.main, incoming("secret.img")).code(), ErrorCode::kNotFound);
  EXPECT_TRUE(f.library.ftp_stat(f.alt, incoming("secret.img")).ok());
}

TEST(FtpNamespace, QuotaRefusesTheWriteThatPassesIt) {
  LibraryFixture f(LibraryOptions{.quota_bytes = 100});
  f.upload(f.main, "a", Bytes(60, 1));
  ASSERT_TRUE(f.library.ftp_open_for_write(f.main, incoming("b"), WriteMode::kReplace, 0, f.now).ok());
  ASSERT_TRUE(f.library.ftp_write(f.main, incoming("b"), 0, Bytes(40, 2), f.now).ok());
  EXPECT_EQ(f.library.ftp_write(f.main, incoming("b"), 40, Bytes(1, 3), f.now).code(),
            ErrorCode::kQuotaExceeded);
  EXPECT_EQ(f.library.stored_bytes(f.main), 100u);
  // Overwriting inside the file does not grow it.
  EXPECT_TRUE(f.library.ftp_write(f.main, incoming("b"), 0, Bytes(40, 4), f.now).ok());
  // Registered images still count.
  RegisterRequest request = f.register_request("a");
  ASSERT_TRUE(f.library.register_image(f.main, request, f.now).ok());
  EXPECT_EQ(f.library.stored_bytes(f.main), 100u);
}

TEST(FtpNamespace, WritingAFileThatWasRegisteredMidUploadFails) {
  LibraryFixture f;
  f.upload(f.main, "a", to_bytes("part"));
  ASSERT_TRUE(f.library.register_image(f.main, f.register_request("a"), f.now).ok());
  EXPECT_EQ(f.library.ftp_write(f.main, incoming("a"), 4, to_bytes("more"), f.now).code(),
            ErrorCode::kNotFound);
}

TEST(FtpNamespace, UnknownAccountsHaveNoNamespace) {
  LibraryFixture f;
  EXPECT_EQ(f.library.ftp_list("acc-nope0", FtpPath{}).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(f.library.ftp_open_for_write("acc-nope0", incoming("a"), WriteMode::kReplace, 0, f.now)
                .status()
                .code(),
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace imagelib::testing
