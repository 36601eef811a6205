#include "reference/ftp/ftp_listing.h"

#include <gtest/gtest.h>

namespace imagelib {
namespace {

const Timestamp kNow = from_civil(CivilTime{2026, 11, 27, 0, 26, 5});

TEST(FtpListing, MdtmTime) {
  EXPECT_EQ(format_ftp_time(kNow), "20261127002605");
  EXPECT_EQ(format_ftp_time(Timestamp{}), "19700101000000");
}

TEST(FtpListing, ListLineRecentOldAndFuture) {
  const FtpEntry file{"photo1.jpg", false, 1048576, kNow};
  EXPECT_EQ(format_list_line(file, FtpFolder::kIncoming, "acc-xxxxx", kNow),
            "-rw-r--r--   1 acc-xxxxx library   1048576 Nov 27 00:26 photo1.jpg");
  const FtpEntry folder{"images", true, 0, from_civil(CivilTime{2026, 7, 17, 11, 16, 0})};
  EXPECT_EQ(format_list_line(folder, FtpFolder::kRoot, "acc-xxxxx", kNow),
            "drwxr-sr-x   2 acc-xxxxx library      4096 Jul 17 11:16 images");
  const FtpEntry old{"img-abcde", false, 5, from_civil(CivilTime{2025, 3, 2, 8, 0, 0})};
  EXPECT_EQ(format_list_line(old, FtpFolder::kImages, "acc-xxxxx", kNow),
            "-r--r--r--   1 acc-xxxxx library         5 Mar  2  2025 img-abcde");
  const FtpEntry future{"f", false, 5, kNow + std::chrono::hours(48)};
  EXPECT_EQ(format_list_line(future, FtpFolder::kIncoming, "a", kNow),
            "-rw-r--r--   1 a library         5 Nov 29  2026 f");
  const FtpEntry huge{"big", false, 10 * kTiB, kNow};
  EXPECT_EQ(format_list_line(huge, FtpFolder::kIncoming, "a", kNow),
            "-rw-r--r--   1 a library 10995116277760 Nov 27 00:26 big");
}

TEST(FtpListing, StripLsOptions) {
  EXPECT_EQ(strip_ls_options("-la images"), "images");
  EXPECT_EQ(strip_ls_options("-l -a  incoming"), "incoming");
  EXPECT_EQ(strip_ls_options("-l"), "");
  EXPECT_EQ(strip_ls_options("images"), "images");
  EXPECT_EQ(strip_ls_options(""), "");
}

TEST(FtpListing, MlstFacts) {
  const FtpEntry file{"a", false, 7, kNow};
  EXPECT_EQ(format_mlst_facts(file, FtpPath{FtpFolder::kIncoming, "a"}, MlstFacts{}),
            "type=file;size=7;modify=20261127002605;perm=adfrw; ");
  EXPECT_EQ(format_mlst_facts(file, FtpPath{FtpFolder::kImages, "a"}, MlstFacts{}),
            "type=file;size=7;modify=20261127002605;perm=r; ");
  std::string echoed;
  const MlstFacts some = parse_mlst_facts("Size;nonsense;type;size;", echoed);
  EXPECT_EQ(echoed, "size;type;");
  EXPECT_EQ(format_mlst_facts(file, FtpPath{FtpFolder::kIncoming, "a"}, some), "type=file;size=7; ");
  EXPECT_EQ(feat_mlst_facts(some), "type*;size*;modify;perm;");
  const MlstFacts none = parse_mlst_facts("", echoed);
  EXPECT_EQ(echoed, "");
  EXPECT_EQ(format_mlst_facts(file, FtpPath{FtpFolder::kIncoming, "a"}, none), " ");
}

TEST(FtpListing, EntryPath) {
  const FtpPath root{};
  EXPECT_EQ(entry_path(root, FtpEntry{"incoming", true, 0, {}}), (FtpPath{FtpFolder::kIncoming, ""}));
  EXPECT_EQ(entry_path(root, FtpEntry{"images", true, 0, {}}), (FtpPath{FtpFolder::kImages, ""}));
  EXPECT_EQ(entry_path(FtpPath{FtpFolder::kImages, ""}, FtpEntry{"img-x", false, 0, {}}),
            (FtpPath{FtpFolder::kImages, "img-x"}));
}

}  // namespace
}  // namespace imagelib
