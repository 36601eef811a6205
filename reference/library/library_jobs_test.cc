// The job API split for environments that decode elsewhere: take_due_job,
// run_job and commit_job give what run_jobs_until gives, and a job taken
// out of the Library survives anything done to the Library meanwhile.
#include <gtest/gtest.h>

#include "reference/base/sha256.h"
#include "reference/library/testing.h"

namespace imagelib::testing {
namespace {

TEST(Jobs, TakeRunCommitEndsLikeRunJobsUntil) {
  LibraryFixture serial;
  LibraryFixture split;
  for (LibraryFixture* f : {&serial, &split}) {
    f->upload(f->main, "good.img", sample_disk());
    f->upload(f->main, "empty.img", Bytes{});
    ASSERT_TRUE(f->library.register_image(f->main, f->register_request("good.img"), f->now).ok());
    ASSERT_TRUE(f->library.register_image(f->main, f->register_request("empty.img"), f->now).ok());
  }
  const Timestamp due = *serial.library.next_job_due();
  serial.library.run_jobs_until(due);
  std::vector<PendingJob> taken;
  while (auto job = split.library.take_due_job(due)) taken.push_back(*job);
  ASSERT_EQ(taken.size(), 2u);
  // Committed in the reverse order: each job's result is its own.
  for (auto job = taken.rbegin(); job != taken.rend(); ++job) {
    split.library.commit_job(*job, Library::run_job(*job));
  }
  EXPECT_EQ(split.library.dump_state(), serial.library.dump_state());
}

TEST(Jobs, NothingIsTakenBeforeItIsDue) {
  LibraryFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  ASSERT_TRUE(f.library.register_image(f.main, f.register_request("disk.img"), f.now).ok());
  EXPECT_FALSE(f.library.take_due_job(f.now).has_value());
  auto job = f.library.take_due_job(f.now + f.library.options().job_time);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->due, f.now + f.library.options().job_time);
  EXPECT_FALSE(job->raw_disk);
  EXPECT_FALSE(f.library.next_job_due().has_value());
}

TEST(Jobs, ATakenJobStaysCreatingUntilCommitted) {
  LibraryFixture f;
  const Bytes disk = sample_disk();
  f.upload(f.main, "disk.img", disk);
  const ImageId id = f.library.register_image(f.main, f.register_request("disk.img"), f.now)->id;
  auto job = f.library.take_due_job(f.now + f.library.options().job_time);
  ASSERT_TRUE(job.has_value());
  JobResult result = Library::run_job(*job);
  EXPECT_EQ(f.library.show_image(f.main, id)->status, ImageStatus::kCreating);
  f.library.commit_job(*job, std::move(result));
  const Image done = *f.library.show_image(f.main, id);
  EXPECT_EQ(done.status, ImageStatus::kAvailable);
  EXPECT_EQ(done.sha256, sha256_hex(disk));
}

TEST(Jobs, AnImageDestroyedWhileItsJobRunsStaysDeletedAndTheSourceStaysReadable) {
  LibraryFixture f;
  const Bytes disk = sample_disk();
  f.upload(f.main, "disk.img", disk);
  const ImageId id = f.library.register_image(f.main, f.register_request("disk.img"), f.now)->id;
  auto job = f.library.take_due_job(f.now + f.library.options().job_time);
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(f.library.destroy_image(f.main, id).ok());
  JobResult result = Library::run_job(*job);  // the job holds its source
  ASSERT_TRUE(result.decoded.ok());
  EXPECT_EQ(result.decoded->sha256, sha256_hex(disk));
  f.library.commit_job(*job, std::move(result));
  EXPECT_EQ(f.library.show_image(f.main, id).status().code(), ErrorCode::kNotFound);
}

TEST(Jobs, JobsOfImagesDestroyedBeforeTheyAreDueAreNeverTaken) {
  LibraryFixture f;
  f.upload(f.main, "disk.img", sample_disk());
  const ImageId id = f.library.register_image(f.main, f.register_request("disk.img"), f.now)->id;
  ASSERT_TRUE(f.library.destroy_image(f.main, id).ok());
  EXPECT_FALSE(f.library.take_due_job(f.now + f.library.options().job_time).has_value());
}

TEST(Jobs, ASnapshotJobDecodesARawDisk) {
  LibraryFixture f;
  const Image origin = f.add_image(f.main, "disk.img", sample_disk());
  const Server server = *f.library.create_server(f.main, {.image = origin.id}, f.now);
  ASSERT_TRUE(f.library.snapshot_server(f.main, server.id, f.now).ok());
  auto job = f.library.take_due_job(f.now + f.library.options().job_time);
  ASSERT_TRUE(job.has_value());
  EXPECT_TRUE(job->raw_disk);
  const JobResult result = Library::run_job(*job);
  ASSERT_TRUE(result.decoded.ok());
  EXPECT_EQ(result.decoded->sha256, origin.sha256);
}

}  // namespace
}  // namespace imagelib::testing
