#include "tools/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

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

// A 1 MiB source whose data lies in [256 KiB, 512 KiB).
class HoleySource final : public RandomAccessSource {
 public:
  std::uint64_t size() const override { return 1 << 20; }
  Status read_at(std::uint64_t, MutableByteView) const override { return {}; }
  DataRange data_range_from(std::uint64_t offset) const override {
    if (offset >= 512 << 10) return {size(), size()};
    return {std::max<std::uint64_t>(offset, 256 << 10), 512 << 10};
  }
};

TEST(Progress, SourcePassesItsInnerSourcesHolesOn) {
  ProgressBar bar("x", 1 << 20, false);
  const ProgressSource source(std::make_shared<HoleySource>(), bar);
  EXPECT_EQ(source.data_range_from(0).start, 256u << 10);
  EXPECT_EQ(source.data_range_from(0).end, 512u << 10);
  EXPECT_EQ(source.data_range_from(600 << 10).start, 1u << 20);
}

}  // namespace
}  // namespace imagelib::cli
