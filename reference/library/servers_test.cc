// SPEC §3 "Servers and snapshots", and compatibility mode.
#include <gtest/gtest.h>

#include "reference/base/sha256.h"
#include "reference/library/server_types.h"
#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

TEST(Servers, BuildFromOwnAvailableImage) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  auto server = f.library.create_server(f.main, {.image = image.id, .name = "my slackware box"}, f.now);
  ASSERT_TRUE(server.ok()) << server.status().to_string();
  EXPECT_TRUE(is_valid_id(server->id, kServerPrefix));
  EXPECT_EQ(server->image, image.id);
  EXPECT_EQ(server->name, "my slackware box");
  EXPECT_EQ(server->server_type, default_server_type().id);
  EXPECT_EQ(f.library.show_server(f.main, server->id)->id, server->id);
}

TEST(Servers, AnotherAccountsPrivateImageIsNotFound) {
  LibraryFixture f;
  const Image image = f.add_image(f.alt, "p.img", sample_disk());
  EXPECT_EQ(f.library.create_server(f.main, {.image = image.id}, f.now).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(f.library.create_server(f.main, {.image = "img-zzzzz"}, f.now).status().code(),
            ErrorCode::kNotFound);
}

TEST(Servers, PublicAndOfficialImagesOfOthersAreBuildable) {
  LibraryFixture f;
  const Image shared = f.add_image(f.alt, "q.img", sample_disk(), true);
  const Image official = *f.library.add_official_image({.name = "U", .content = sample_disk()}, f.now);
  EXPECT_TRUE(f.library.create_server(f.main, {.image = shared.id}, f.now).ok());
  EXPECT_TRUE(f.library.create_server(f.main, {.image = official.id}, f.now).ok());
}

TEST(Servers, DeprecatedImagesStayBuildableById) {
  LibraryFixture f;
  const Image shared = f.add_image(f.alt, "q.img", sample_disk(), true);
  ASSERT_TRUE(f.library.update_image(f.alt, shared.id, {.status = "deprecated"}).ok());
  EXPECT_TRUE(f.library.create_server(f.main, {.image = shared.id}, f.now).ok());
  EXPECT_TRUE(f.library.create_server(f.alt, {.image = shared.id}, f.now).ok());
}

TEST(Servers, CreatingOrFailedImagesAreAConflict) {
  LibraryFixture f;
  const Image failed = f.add_image(f.main, "bad.img", Bytes{});
  EXPECT_EQ(f.library.create_server(f.main, {.image = failed.id}, f.now).status().code(),
            ErrorCode::kConflict);
  f.upload(f.main, "a.img", sample_disk());
  auto creating = f.library.register_image(f.main, f.register_request("a.img"), f.now);
  EXPECT_EQ(f.library.create_server(f.main, {.image = creating->id}, f.now).status().code(),
            ErrorCode::kConflict);
}

TEST(Servers, ServerTypeWithLessRamThanMinRamIsUnprocessable) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  ASSERT_TRUE(f.library.update_image(f.main, image.id, {.min_ram = 2048}).ok());
  EXPECT_EQ(f.library.create_server(f.main, {.image = image.id, .server_type = "1gb.ssd"}, f.now)
                .status()
                .code(),
            ErrorCode::kUnprocessable);
  EXPECT_TRUE(
      f.library.create_server(f.main, {.image = image.id, .server_type = "typ-02048"}, f.now).ok());
  EXPECT_EQ(f.library.create_server(f.main, {.image = image.id, .server_type = "typ-nope0"}, f.now)
                .status()
                .code(),
            ErrorCode::kUnprocessable);
}

TEST(CompatibilityMode, AffectsServersCreatedFromThenOnOnly) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const Server before = *f.library.create_server(f.main, {.image = image.id}, f.now);
  EXPECT_FALSE(before.compatibility_mode);
  ASSERT_TRUE(f.library.update_image(f.main, image.id, {.compatibility_mode = true}).ok());
  const Server after = *f.library.create_server(f.main, {.image = image.id}, f.now);
  EXPECT_TRUE(after.compatibility_mode);
  EXPECT_FALSE(f.library.show_server(f.main, before.id)->compatibility_mode);
}

TEST(Servers, KeepRunningWhenTheirImageIsDestroyed) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = image.id}, f.now);
  ASSERT_TRUE(f.library.destroy_image(f.main, image.id).ok());
  auto shown = f.library.show_server(f.main, server.id);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->disk->size(), sample_disk().size());
}

TEST(Servers, OthersCannotSeeAServer) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = image.id}, f.now);
  EXPECT_EQ(f.library.show_server(f.alt, server.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(f.library.snapshot_server(f.alt, server.id, f.now).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(f.library.list_servers(f.alt).empty());
  EXPECT_EQ(f.library.list_servers(f.main).size(), 1u);
}

TEST(Snapshot, MakesAPrivateSnapshotImageWithAncestorThatBecomesAvailable) {
  LibraryFixture f;
  const Bytes disk = sample_disk();
  const Image origin = f.add_image(f.main, "a.img", disk, /*is_public=*/true);
  const Server server = *f.library.create_server(f.main, {.image = origin.id}, f.now);
  auto snapshot = f.library.snapshot_server(f.main, server.id, f.now);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->status, ImageStatus::kCreating);
  EXPECT_EQ(snapshot->source_type, SourceType::kSnapshot);
  EXPECT_FALSE(snapshot->is_public);
  EXPECT_EQ(snapshot->ancestor, origin.id);
  EXPECT_EQ(snapshot->owner, f.main);
  EXPECT_EQ(snapshot->name, "Snapshot of " + server.id + " 19 May 12:00");
  f.finish_jobs();
  const Image done = *f.library.show_image(f.main, snapshot->id);
  EXPECT_EQ(done.status, ImageStatus::kAvailable);
  EXPECT_EQ(done.sha256, sha256_hex(disk));
  EXPECT_EQ(*f.library.ftp_read(f.main, images(done.id), 0, disk.size()), disk);
  EXPECT_EQ(f.library.show_image(f.alt, done.id).status().code(), ErrorCode::kNotFound);
}

TEST(Snapshot, OfAServerBuiltFromAnotherAccountsImageBelongsToTheCaller) {
  LibraryFixture f;
  const Image shared = f.add_image(f.alt, "q.img", sample_disk(), true);
  const Server server = *f.library.create_server(f.main, {.image = shared.id}, f.now);
  auto snapshot = f.library.snapshot_server(f.main, server.id, f.now);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->owner, f.main);
  f.finish_jobs();
  EXPECT_TRUE(f.library.ftp_stat(f.main, images(snapshot->id)).ok());
  EXPECT_EQ(f.library.ftp_stat(f.alt, images(snapshot->id)).status().code(), ErrorCode::kNotFound);
}

TEST(Snapshot, RegisterWithAServerFieldMakesASnapshot) {
  LibraryFixture f;
  const Image origin = f.add_image(f.main, "a.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = origin.id}, f.now);
  RegisterRequest request;
  request.server = server.id;
  request.name = "nightly";
  auto snapshot = f.library.register_image(f.main, request, f.now);
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->source_type, SourceType::kSnapshot);
  EXPECT_EQ(snapshot->name, "nightly");
}

TEST(DestroyServer, TheOwnersServerLeavesTheListingAndShow) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = image.id}, f.now);
  auto destroyed = f.library.destroy_server(f.main, server.id);
  ASSERT_TRUE(destroyed.ok()) << destroyed.status().to_string();
  EXPECT_EQ(destroyed->id, server.id);
  EXPECT_TRUE(f.library.list_servers(f.main).empty());
  EXPECT_EQ(f.library.show_server(f.main, server.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(f.library.destroy_server(f.main, server.id).status().code(), ErrorCode::kNotFound);
}

TEST(DestroyServer, AnotherAccountsServerIsNotFoundAndStays) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = image.id}, f.now);
  EXPECT_EQ(f.library.destroy_server(f.alt, server.id).status(),
            f.library.destroy_server(f.alt, "srv-zzzzz").status());
  EXPECT_EQ(f.library.destroy_server(f.alt, server.id).status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(f.library.show_server(f.main, server.id).ok());
}

TEST(DestroyServer, ItsSnapshotsStayAndOneStillCreatingEndsAvailable) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = image.id}, f.now);
  const Image snapshot = *f.library.snapshot_server(f.main, server.id, f.now);
  ASSERT_TRUE(f.library.destroy_server(f.main, server.id).ok());
  f.finish_jobs();
  auto shown = f.library.show_image(f.main, snapshot.id);
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->status, ImageStatus::kAvailable);
  EXPECT_EQ(shown->sha256, image.sha256);
}

TEST(ServerView, NamesTheImageTheOwnerAndTheSnapshotsThatStillExist) {
  LibraryFixture f;
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = image.id}, f.now);
  const Server other = *f.library.create_server(f.main, {.image = image.id}, f.now);
  const Image kept = *f.library.snapshot_server(f.main, server.id, f.now);
  const Image destroyed = *f.library.snapshot_server(f.main, server.id, f.now);
  ASSERT_TRUE(f.library.snapshot_server(f.main, other.id, f.now).ok());
  f.finish_jobs();
  ASSERT_TRUE(f.library.destroy_image(f.main, destroyed.id).ok());
  const ServerView view = f.library.view_server(server);
  EXPECT_EQ(view.image.id, image.id);
  EXPECT_EQ(view.account.id, f.main);
  ASSERT_EQ(view.snapshots.size(), 1u);
  EXPECT_EQ(view.snapshots[0].id, kept.id);
}

TEST(AccountView, CountsTheRamOfItsServersAndRefusesAServerPastTheLimit) {
  LibraryFixture f(LibraryOptions{.ram_limit_mb = 3072});
  const Image image = f.add_image(f.main, "a.img", sample_disk());
  ASSERT_TRUE(f.library.create_server(f.main, {.image = image.id, .server_type = "2gb.ssd"}, f.now).ok());
  const Server small = *f.library.create_server(f.main, {.image = image.id}, f.now);
  const Account account = *f.library.show_account(f.main, f.main);
  EXPECT_EQ(f.library.view_account(account).ram_used_mb, 3072u);
  EXPECT_EQ(f.library.view_account(account).ram_limit_mb, 3072u);
  auto refused = f.library.create_server(f.main, {.image = image.id, .server_type = "512mb.ssd"}, f.now);
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnprocessable);
  EXPECT_NE(refused.status().message().find("limit of 3072 MB"), std::string::npos);
  ASSERT_TRUE(f.library.destroy_server(f.main, small.id).ok());
  EXPECT_EQ(f.library.view_account(account).ram_used_mb, 2048u);
  EXPECT_TRUE(f.library.create_server(f.main, {.image = image.id}, f.now).ok());
}

}  // namespace
}  // namespace imagelib::testing
