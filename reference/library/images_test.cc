// SPEC §3 "Registering an upload", "Listing and showing", "Updating",
// "Locking and destroying".
#include <gtest/gtest.h>

#include <algorithm>

#include "reference/base/sha256.h"
#include "reference/library/json.h"
#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

bool lists(const Library& library, const AccountId& viewer, const ImageId& id) {
  const auto listed = library.list_images(viewer);
  return std::any_of(listed.begin(), listed.end(), [&](const Image& i) { return i.id == id; });
}

// --- registering ---

TEST(Register, ReturnsACreatingPrivateUploadOwnedByTheCaller) {
  LibraryFixture f;
  f.upload(f.main, "slackware.img", sample_disk());
  RegisterRequest request = f.register_request("slackware.img", "i686");
  request.name = "Slackware";
  request.description = "Fresh slackware install";
  auto image = f.library.register_image(f.main, request, f.now);
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  EXPECT_TRUE(is_valid_id(image->id, kImagePrefix));
  EXPECT_EQ(image->status, ImageStatus::kCreating);
  EXPECT_EQ(image->owner, f.main);
  EXPECT_EQ(image->source_type, SourceType::kUpload);
  EXPECT_EQ(image->arch, Arch::kI686);
  EXPECT_FALSE(image->is_public);
  EXPECT_EQ(image->virtual_size, 0u);
  EXPECT_EQ(image->disk_size, 0u);
  EXPECT_EQ(image->created_at, f.now);
}

TEST(Register, MovesTheFileFromIncomingToImagesAtOnce) {
  LibraryFixture f;
  const Bytes disk = sample_disk();
  f.upload(f.main, "disk.img", disk);
  auto image = f.library.register_image(f.main, f.register_request("disk.img"), f.now);
  ASSERT_TRUE(image.ok());
  EXPECT_EQ(f.library.ftp_stat(f.main, incoming("disk.img")).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(*f.library.ftp_read(f.main, images(image->id), 0, disk.size()), disk);
}

TEST(Register, JobEndsAvailableWithSizesFormatAndDigest) {
  LibraryFixture f;
  Bytes disk(3 * kMiB + 10, 0);
  disk[0] = 1;            // one non-zero 4 KiB block
  disk[2 * kMiB] = 1;     // and another
  const Image image = f.add_image(f.main, "disk.img", disk);
  EXPECT_EQ(image.status, ImageStatus::kAvailable);
  EXPECT_EQ(image.virtual_size, disk.size());
  EXPECT_EQ(image.disk_size, 8192u);
  EXPECT_EQ(image.source_format, "raw");
  EXPECT_EQ(image.sha256, sha256_hex(disk));
  const auto json = image_json(image, "https://api.test");
  EXPECT_EQ(json["virtual_size"], 4);  // MB, rounded up
  EXPECT_EQ(json["disk_size"], 1);
}

TEST(Register, JobEndsOnlyWhenItsVirtualTimeComes) {
  LibraryFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  auto image = f.library.register_image(f.main, f.register_request("disk.img"), f.now);
  ASSERT_EQ(f.library.next_job_due(), f.now + f.library.options().job_time);
  f.library.run_jobs_until(f.now + f.library.options().job_time - Duration(1));
  EXPECT_EQ(f.library.show_image(f.main, image->id)->status, ImageStatus::kCreating);
  f.library.run_jobs_until(f.now + f.library.options().job_time);
  EXPECT_EQ(f.library.show_image(f.main, image->id)->status, ImageStatus::kAvailable);
  EXPECT_FALSE(f.library.next_job_due().has_value());
}

TEST(Register, RejectedFileEndsFailedWithAReasonAndStaysInImages) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "empty.img", Bytes{});
  EXPECT_EQ(image.status, ImageStatus::kFailed);
  EXPECT_EQ(image.status_reason, "the file is empty");
  EXPECT_TRUE(f.library.ftp_stat(f.main, images(image.id)).ok());
  EXPECT_TRUE(lists(f.library, f.main, image.id));
}

TEST(Register, WithoutANameOneIsMadeFromTheSourceAndTime) {
  LibraryFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  auto image = f.library.register_image(f.main, f.register_request("disk.img"), f.now);
  EXPECT_EQ(image->name, "disk.img 2011-05-19T12:00:00Z");
}

TEST(Register, PublicAndCompatibilityAndMinRamAreTakenFromTheRequest) {
  LibraryFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  RegisterRequest request = f.register_request("disk.img");
  request.is_public = true;
  request.compatibility_mode = true;
  request.min_ram = 2048;
  request.username = "ubuntu";
  auto image = f.library.register_image(f.main, request, f.now);
  EXPECT_TRUE(image->is_public);
  EXPECT_TRUE(image->compatibility_mode);
  EXPECT_EQ(image->min_ram, 2048u);
  EXPECT_EQ(image->username, "ubuntu");
}

TEST(Register, BadArchIsUnprocessableAndLeavesIncomingUntouched) {
  LibraryFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  for (const char* arch : {"arm64", "", "X86_64"}) {
    auto result = f.library.register_image(f.main, f.register_request("disk.img", arch), f.now);
    EXPECT_EQ(result.status().code(), ErrorCode::kUnprocessable) << arch;
  }
  RegisterRequest no_arch = f.register_request("disk.img");
  no_arch.arch.reset();
  EXPECT_EQ(f.library.register_image(f.main, no_arch, f.now).status().code(),
            ErrorCode::kUnprocessable);
  EXPECT_TRUE(f.library.ftp_stat(f.main, incoming("disk.img")).ok());
  EXPECT_TRUE(f.library.list_images(f.main).empty());
}

TEST(Register, UnknownOrInvalidSourceIsUnprocessable) {
  LibraryFixture f;
  f.upload(f.alt, "alts.img", sample_disk());
  for (const char* source : {"missing.img", "alts.img", "../incoming/alts.img", "a b", ""}) {
    auto result = f.library.register_image(f.main, f.register_request(source), f.now);
    EXPECT_EQ(result.status().code(), ErrorCode::kUnprocessable) << source;
  }
  RegisterRequest no_source = f.register_request("x");
  no_source.source.reset();
  EXPECT_EQ(f.library.register_image(f.main, no_source, f.now).status().code(),
            ErrorCode::kUnprocessable);
  EXPECT_TRUE(f.library.ftp_stat(f.alt, incoming("alts.img")).ok());
  EXPECT_TRUE(f.library.list_images(f.main).empty());
}

TEST(Register, HttpUrlIsRefusedWithAClearReason) {
  LibraryFixture f;
  RegisterRequest request;
  request.arch = "x86_64";
  request.http_url = "https://example.com/os.iso";
  auto result = f.library.register_image(f.main, request, f.now);
  EXPECT_EQ(result.status().code(), ErrorCode::kUnprocessable);
  EXPECT_NE(result.status().message().find("http_url"), std::string::npos);
}

// --- listing and showing ---

TEST(Listing, OwnerListsAllItsImagesWhateverTheStatusButDeleted) {
  LibraryFixture f;
  const Image available = f.add_image(f.main, "a.img", sample_disk());
  const Image failed = f.add_image(f.main, "b.img", Bytes{});
  const Image deprecated = f.add_image(f.main, "c.img", sample_disk());
  ASSERT_TRUE(f.library.update_image(f.main, deprecated.id, ImageUpdate{.status = "deprecated"}).ok());
  f.upload(f.main, "d.img", sample_disk());
  const Image creating = *f.library.register_image(f.main, f.register_request("d.img"), f.now);
  const Image deleted = f.add_image(f.main, "e.img", sample_disk());
  ASSERT_TRUE(f.library.destroy_image(f.main, deleted.id).ok());
  for (const Image& i : {available, failed, deprecated, creating}) {
    EXPECT_TRUE(lists(f.library, f.main, i.id)) << i.id;
  }
  EXPECT_FALSE(lists(f.library, f.main, deleted.id));
}

TEST(Listing, OthersSeeOfficialAndPublicAvailableImagesOnly) {
  LibraryFixture f;
  const Image private_image = f.add_image(f.alt, "p.img", sample_disk());
  const Image public_image = f.add_image(f.alt, "q.img", sample_disk(), true);
  const Image public_failed = f.add_image(f.alt, "r.img", Bytes{}, true);
  const Image official =
      *f.library.add_official_image(OfficialImageSpec{.name = "Ubuntu", .content = sample_disk()}, f.now);
  EXPECT_FALSE(lists(f.library, f.main, private_image.id));
  EXPECT_TRUE(lists(f.library, f.main, public_image.id));
  EXPECT_FALSE(lists(f.library, f.main, public_failed.id));
  EXPECT_TRUE(lists(f.library, f.main, official.id));
}

TEST(Listing, DeprecatedImagesOfOthersAreNotListedButShowableById) {
  LibraryFixture f;
  const Image image = f.add_image(f.alt, "q.img", sample_disk(), true);
  ASSERT_TRUE(f.library.update_image(f.alt, image.id, ImageUpdate{.status = "deprecated"}).ok());
  EXPECT_FALSE(lists(f.library, f.main, image.id));
  auto shown = f.library.show_image(f.main, image.id);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->status, ImageStatus::kDeprecated);
  EXPECT_TRUE(lists(f.library, f.alt, image.id));
}

TEST(Showing, AnotherAccountsPrivateImageLooksExactlyLikeAMissingOne) {
  LibraryFixture f;
  const Image image = f.add_image(f.alt, "p.img", sample_disk());
  const Status hidden = f.library.show_image(f.main, image.id).status();
  const Status missing = f.library.show_image(f.main, "img-zzzzz").status();
  EXPECT_EQ(hidden.code(), ErrorCode::kNotFound);
  EXPECT_EQ(hidden, missing);
}

TEST(Showing, OfficialImagesAreOwnedByTheSystemAccountAndPublic) {
  LibraryFixture f;
  const Image official = *f.library.add_official_image(
      OfficialImageSpec{.name = "Ubuntu Lucid 10.04 server", .arch = Arch::kI686, .content = sample_disk()},
      f.now);
  const auto json = image_json(*f.library.show_image(f.third, official.id), "https://api.test");
  EXPECT_EQ(json["owner"], kSystemAccount);
  EXPECT_TRUE(is_valid_id(json["owner"].get<std::string>(), kAccountPrefix));
  EXPECT_EQ(json["official"], true);
  EXPECT_EQ(json["public"], true);
  EXPECT_EQ(json["status"], "available");
  EXPECT_EQ(json["url"], "https://api.test/1.0/images/" + official.id);
}

TEST(ImageJson, HasEveryFieldOfTheSpec) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const auto json = image_json(image, "https://api.test");
  for (const char* field :
       {"id", "resource_type", "url", "name", "status", "locked", "username", "description", "source",
        "source_type", "source_trigger", "arch", "created_at", "official", "public",
        "compatibility_mode", "disk_size", "virtual_size", "min_ram", "owner", "licence_name",
        "ancestor", "source_format", "sha256", "status_reason"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
  EXPECT_EQ(json["created_at"], "2011-05-19T12:00:00Z");
  EXPECT_EQ(json["source_type"], "upload");
  EXPECT_EQ(json["source_trigger"], "manual");
}

// --- updating ---

TEST(Update, OwnerChangesEveryEditableField) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  ImageUpdate update{.name = "New",
                     .description = "d",
                     .username = "root",
                     .arch = "i686",
                     .min_ram = 4096,
                     .is_public = true,
                     .compatibility_mode = true};
  auto updated = f.library.update_image(f.main, image.id, update);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->name, "New");
  EXPECT_EQ(updated->description, "d");
  EXPECT_EQ(updated->username, "root");
  EXPECT_EQ(updated->arch, Arch::kI686);
  EXPECT_EQ(updated->min_ram, 4096u);
  EXPECT_TRUE(updated->is_public);
  EXPECT_TRUE(updated->compatibility_mode);
}

TEST(Update, StatusMaySwitchBetweenDeprecatedAndAvailableOnly) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  EXPECT_EQ(f.library.update_image(f.main, image.id, {.status = "deprecated"})->status,
            ImageStatus::kDeprecated);
  EXPECT_EQ(f.library.update_image(f.main, image.id, {.status = "available"})->status,
            ImageStatus::kAvailable);
  for (const char* status : {"deleted", "failed", "creating", "bogus"}) {
    EXPECT_EQ(f.library.update_image(f.main, image.id, {.status = status}).status().code(),
              ErrorCode::kUnprocessable)
        << status;
  }
  const Image failed = f.add_image(f.main, "b.img", Bytes{});
  EXPECT_EQ(f.library.update_image(f.main, failed.id, {.status = "available"}).status().code(),
            ErrorCode::kConflict);
}

TEST(Update, InvalidValuesChangeNothing) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  auto result = f.library.update_image(f.main, image.id, {.name = "Kept?", .arch = "sparc"});
  EXPECT_EQ(result.status().code(), ErrorCode::kUnprocessable);
  EXPECT_EQ(f.library.show_image(f.main, image.id)->name, image.name);
  EXPECT_EQ(f.library.update_image(f.main, image.id, {.name = ""}).status().code(),
            ErrorCode::kUnprocessable);
}

TEST(Update, OthersGetNotFoundIfTheyCannotSeeItAndForbiddenIfTheyCan) {
  LibraryFixture f;
  const Image hidden = f.add_image(f.alt, "p.img", sample_disk());
  const Image shared = f.add_image(f.alt, "q.img", sample_disk(), true);
  EXPECT_EQ(f.library.update_image(f.main, hidden.id, {.name = "x"}).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(f.library.update_image(f.main, shared.id, {.name = "x"}).status().code(),
            ErrorCode::kForbidden);
  const Image official = *f.library.add_official_image({.name = "U", .content = sample_disk()}, f.now);
  EXPECT_EQ(f.library.update_image(f.main, official.id, {.is_public = false}).status().code(),
            ErrorCode::kForbidden);
}

TEST(Update, PublicMakesAnImageListableByEveryAccount) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  EXPECT_FALSE(lists(f.library, f.alt, image.id));
  ASSERT_TRUE(f.library.update_image(f.main, image.id, {.is_public = true}).ok());
  EXPECT_TRUE(lists(f.library, f.alt, image.id));
  EXPECT_TRUE(lists(f.library, f.third, image.id));
  ASSERT_TRUE(f.library.update_image(f.main, image.id, {.is_public = false}).ok());
  EXPECT_FALSE(lists(f.library, f.alt, image.id));
  EXPECT_EQ(f.library.show_image(f.alt, image.id).status().code(), ErrorCode::kNotFound);
}

// --- locking and destroying ---

TEST(Destroy, RemovesTheImageFromListingsImagesFolderAndShow) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  auto destroyed = f.library.destroy_image(f.main, image.id);
  ASSERT_TRUE(destroyed.ok());
  EXPECT_EQ(destroyed->status, ImageStatus::kDeleted);
  EXPECT_FALSE(lists(f.library, f.main, image.id));
  EXPECT_EQ(f.library.show_image(f.main, image.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(f.library.ftp_stat(f.main, images(image.id)).status().code(), ErrorCode::kNotFound);
}

TEST(Destroy, ALockedImageIsAConflictUntilUnlocked) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  EXPECT_TRUE(f.library.set_image_lock(f.main, image.id, true)->locked);
  EXPECT_EQ(f.library.destroy_image(f.main, image.id).status().code(), ErrorCode::kConflict);
  EXPECT_EQ(f.library.show_image(f.main, image.id)->status, ImageStatus::kAvailable);
  EXPECT_FALSE(f.library.set_image_lock(f.main, image.id, false)->locked);
  EXPECT_TRUE(f.library.destroy_image(f.main, image.id).ok());
}

TEST(Destroy, OnlyTheOwnerMayLockOrDestroy) {
  LibraryFixture f;
  const Image shared = f.add_image(f.alt, "q.img", sample_disk(), true);
  EXPECT_EQ(f.library.set_image_lock(f.main, shared.id, true).status().code(), ErrorCode::kForbidden);
  EXPECT_EQ(f.library.destroy_image(f.main, shared.id).status().code(), ErrorCode::kForbidden);
  const Image hidden = f.add_image(f.alt, "p.img", sample_disk());
  EXPECT_EQ(f.library.destroy_image(f.main, hidden.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(f.library.show_image(f.alt, hidden.id)->status, ImageStatus::kAvailable);
}

TEST(Destroy, AnImageDestroyedWhileCreatingStaysDeleted) {
  LibraryFixture f;
  f.upload(f.main, "a.img", sample_disk());
  auto image = f.library.register_image(f.main, f.register_request("a.img"), f.now);
  ASSERT_TRUE(f.library.destroy_image(f.main, image->id).ok());
  f.finish_jobs();
  EXPECT_EQ(f.library.show_image(f.main, image->id).status().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace imagelib::testing
