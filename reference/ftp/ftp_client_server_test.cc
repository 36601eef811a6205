// The client core against the server core, wired back to back by FtpWire:
// a full journey (login, upload, list, register via the Library, download)
// with any splitting of bytes and any interleaving of the connections.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "reference/base/blob.h"
#include "reference/ftp/ftp_wire.h"
#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

std::shared_ptr<const RandomAccessSource> blob_of(const Bytes& bytes) {
  auto blob = std::make_shared<MemoryBlob>();
  EXPECT_TRUE(blob->write_at(0, bytes).ok());
  return blob;
}

std::string text(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

struct Journey {
  explicit Journey(std::uint64_t seed, std::size_t max_piece = 64)
      : password(fixture.library.reset_ftp_password(fixture.main, fixture.main)
                     .value()
                     .ftp_password.value()),
        wire(fixture.library, client_options(fixture.main, password), server_options(), seed,
             fixture.now, max_piece) {}

  static FtpClientOptions client_options(const AccountId& user, const std::string& password) {
    FtpClientOptions options{user, password};
    options.upload_chunk_bytes = 7000;
    return options;
  }
  static FtpServerOptions server_options() {
    FtpServerOptions options;
    options.download_chunk_bytes = 5000;
    return options;
  }

  LibraryFixture fixture;
  std::string password;
  FtpWire wire;
};

// Runs the whole journey and checks every step; returns the library's final state.
std::string run_journey(std::uint64_t seed, std::size_t max_piece) {
  Journey j(seed, max_piece);
  Library& library = j.fixture.library;
  const AccountId& account = j.fixture.main;
  j.wire.connect();
  EXPECT_EQ(j.wire.outcomes.size(), 1u);
  EXPECT_TRUE(j.wire.client.is_logged_in());

  const Bytes disk = sample_disk(3 * 65536 + 123);
  // An upload cut short by hand, then resumed with REST.
  const Bytes first_part(disk.begin(), disk.begin() + 50'000);
  FtpClientOutcome up = j.wire.run(FtpUploadOperation{"/incoming/disk.raw", blob_of(first_part)});
  EXPECT_TRUE(up.ok) << up.reply_code << " " << up.reply_text;
  up = j.wire.run(
      FtpUploadOperation{"/incoming/disk.raw", blob_of(disk), FtpUploadMode::kResumeWithRest});
  EXPECT_TRUE(up.ok) << up.reply_code << " " << up.reply_text;
  EXPECT_EQ(up.size, first_part.size());
  EXPECT_EQ(library.ftp_stat(account, incoming("disk.raw"))->size, disk.size());

  FtpClientOutcome size = j.wire.run(FtpSizeOperation{"incoming/disk.raw"});
  EXPECT_TRUE(size.ok);
  EXPECT_EQ(size.size, disk.size());

  FtpClientOutcome list = j.wire.run(FtpListOperation{"incoming", FtpListingKind::kList});
  EXPECT_TRUE(list.ok) << list.reply_text;
  EXPECT_THAT(text(list.data), ::testing::HasSubstr(" " + std::to_string(disk.size()) +
                                                    " May 19 12:00 disk.raw\r\n"));

  // Register via the Library: the file moves to images/ under the image's id.
  auto image = library.register_image(account, j.fixture.register_request("disk.raw"), j.wire.now);
  EXPECT_TRUE(image.ok()) << image.status().to_string();
  j.fixture.now = j.wire.now;
  j.fixture.finish_jobs();
  j.wire.now = j.fixture.now;

  FtpClientOutcome names = j.wire.run(FtpListOperation{"/images", FtpListingKind::kNlst});
  EXPECT_EQ(text(names.data), "/images/" + image->id + "\r\n");
  FtpClientOutcome facts = j.wire.run(FtpListOperation{"images", FtpListingKind::kMlsd});
  EXPECT_THAT(text(facts.data), ::testing::HasSubstr("perm=r; " + image->id + "\r\n"));

  FtpClientOutcome down = j.wire.run(FtpDownloadOperation{"images/" + image->id, 0});
  EXPECT_TRUE(down.ok) << down.reply_text;
  EXPECT_EQ(down.data, disk);
  FtpClientOutcome tail = j.wire.run(FtpDownloadOperation{"images/" + image->id, 196'000});
  EXPECT_EQ(tail.data, Bytes(disk.begin() + 196'000, disk.end()));

  // Refusals come back as outcomes with the server's reply.
  FtpClientOutcome refused = j.wire.run(FtpUploadOperation{"images/x", blob_of(first_part)});
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.reply_code, 553);
  FtpClientOutcome gone = j.wire.run(FtpDeleteOperation{"incoming/disk.raw"});
  EXPECT_EQ(gone.reply_code, 550);

  // Append, rename and delete in incoming/.
  EXPECT_TRUE(j.wire.run(FtpUploadOperation{"incoming/n.txt", blob_of(to_bytes("abc"))}).ok);
  FtpClientOutcome appended = j.wire.run(
      FtpUploadOperation{"incoming/n.txt", blob_of(to_bytes("abcdef")), FtpUploadMode::kResumeWithAppe});
  EXPECT_TRUE(appended.ok);
  EXPECT_TRUE(j.wire.run(FtpRenameOperation{"incoming/n.txt", "incoming/m.txt"}).ok);
  FtpClientOutcome m = j.wire.run(FtpDownloadOperation{"incoming/m.txt", 0});
  EXPECT_EQ(text(m.data), "abcdef");
  EXPECT_TRUE(j.wire.run(FtpDeleteOperation{"incoming/m.txt"}).ok);

  j.wire.quit();
  EXPECT_TRUE(j.wire.client.is_closed());
  EXPECT_TRUE(j.wire.server.is_closed());
  return library.dump_state();
}

TEST(FtpClientServer, JourneyWithWholeMessages) {
  run_journey(1, 1 << 20);
}

RC_GTEST_PROP(FtpClientServer, JourneyCompletesWithAnySplitting, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto max_piece = *rc::gen::inRange<std::size_t>(1, 3000);
  const std::string state = run_journey(seed, max_piece);
  // The split and the interleaving change nothing the library keeps.
  RC_ASSERT(state == run_journey(seed + 1, 1 << 20));
}

TEST(FtpClientServer, WrongPasswordEndsWithTheServersReply) {
  LibraryFixture fixture;
  ASSERT_TRUE(fixture.library.reset_ftp_password(fixture.main, fixture.main).ok());
  FtpWire wire(fixture.library, FtpClientOptions{fixture.main, "wrong"}, {}, 7, fixture.now);
  wire.connect();
  ASSERT_EQ(wire.outcomes.size(), 1u);
  EXPECT_FALSE(wire.outcomes[0].ok);
  EXPECT_EQ(wire.outcomes[0].reply_code, 530);
  EXPECT_EQ(wire.outcomes[0].reply_text, "530 Login incorrect.");
  // The failed login was held back by the server's delay.
  EXPECT_GE(wire.now, fixture.now + std::chrono::seconds(1));
  EXPECT_TRUE(wire.server.is_closed());
}

}  // namespace
}  // namespace imagelib::testing
