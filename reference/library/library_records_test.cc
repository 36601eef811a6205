// Library::records and Library::restore: a Library restored from another's
// records holds the same state, and ids it draws afterwards are new.
#include <gtest/gtest.h>

#include <set>

#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

// A library with something of every kind: an available image, a server, a
// pending registration, a file in incoming/, an FTP password and a client.
void populate(LibraryFixture& f) {
  const Image image = f.add_image(f.main, "disk.img", sample_disk());
  ASSERT_TRUE(f.library.create_server(f.main, {.image = image.id}, f.now).ok());
  ASSERT_TRUE(f.library.update_image(f.main, image.id, {.is_public = true}).ok());
  f.upload(f.alt, "later.img", sample_disk(65536, 0x11));
  ASSERT_TRUE(f.library.register_image(f.alt, f.register_request("later.img"), f.now).ok());
  f.upload(f.alt, "kept.img", sample_disk(4096, 0x22));
  ASSERT_TRUE(f.library.reset_ftp_password(f.third, f.third).ok());
  ASSERT_TRUE(f.library.create_api_client(f.main).ok());
}

TEST(Records, ARestoredLibraryDumpsTheSameState) {
  LibraryFixture f;
  populate(f);
  LibraryOptions options;
  options.seed = 99;
  Library restored(options);
  ASSERT_TRUE(restored.restore(f.library.records()).ok());
  EXPECT_EQ(restored.dump_state(), f.library.dump_state());
  // The pending registration ends alike in both.
  f.finish_jobs();
  restored.run_jobs_until(f.now);
  EXPECT_EQ(restored.dump_state(), f.library.dump_state());
}

TEST(Records, IdsDrawnAfterARestoreNeverRepeatRestoredOnes) {
  // Restored with the seed that drew the ids: the same stream would repeat them.
  LibraryFixture f;
  populate(f);
  Library restored(f.library.options());
  ASSERT_TRUE(restored.restore(f.library.records()).ok());
  std::set<std::string> ids;
  for (const Account& account : f.library.records().accounts) ids.insert(account.id);
  for (const Image& image : f.library.records().images) ids.insert(image.id);
  for (int i = 0; i < 5; ++i) {
    const Account account = *restored.create_account("n" + std::to_string(i));
    EXPECT_EQ(ids.count(account.id), 0u) << account.id;
  }
}

TEST(Records, RecordsNamingWhatDoesNotExistAreRefused) {
  LibraryFixture f;
  populate(f);
  LibraryRecords records = f.library.records();
  records.servers.front().image = "img-nonexistent";
  Library restored;
  EXPECT_FALSE(restored.restore(records).ok());
  records = f.library.records();
  records.jobs.push_back({f.now, "img-nonexistent"});
  EXPECT_FALSE(restored.restore(records).ok());
  records = f.library.records();
  records.accounts.push_back(records.accounts.front());
  EXPECT_FALSE(restored.restore(records).ok());
}

}  // namespace
}  // namespace imagelib::testing
