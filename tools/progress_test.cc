#include "tools/progress.h"

#include <gtest/gtest.h>

namespace imagelib::cli {
namespace {

TEST(Progress, LineShowsBarPercentAmountsRateAndEta) {
  EXPECT_EQ(format_progress_line("put disk.img", 512 << 10, 1 << 20, 2.0, ProgressUnit::kBytes, 100),
            "put disk.img [###############               ]  50%  512.0 KiB/1.0 MiB  256.0 KiB/s  ETA 0:02");
}

TEST(Progress, FinishedLineShowsTheTimeTaken) {
  EXPECT_EQ(format_progress_line("get x", 3 << 20, 3 << 20, 61.0, ProgressUnit::kBytes, 100),
            "get x [##############################] 100%  3.0 MiB/3.0 MiB  50.4 KiB/s  in 1:01");
}

TEST(Progress, NarrowTerminalDropsTheBarAndUnknownTotalDropsPercent) {
  EXPECT_EQ(format_progress_line("put disk.img", 0, 1 << 20, 0.0, ProgressUnit::kBytes, 40),
            "put disk.img   0%  0 B/1.0 MiB  0 B/s  ETA --:--");
  EXPECT_EQ(format_progress_line("get x", 2048, 0, 1.0, ProgressUnit::kBytes, 100), "get x  2.0 KiB  2.0 KiB/s");
}

TEST(Progress, CountsItems) {
  EXPECT_EQ(format_progress_line("replay", 3, 4, 3.0, ProgressUnit::kItems, 100),
            "replay [######################        ]  75%  3/4  1.0/s  ETA 0:01");
}

TEST(Progress, BytesUseBinaryUnits) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(5.0 * 1024 * 1024 * 1024), "5.0 GiB");
}

TEST(Progress, DisabledBarWritesNothing) {
  ::testing::internal::CaptureStderr();
  {
    ProgressBar bar("x", 10, false);
    bar.update(5);
    bar.finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace imagelib::cli
