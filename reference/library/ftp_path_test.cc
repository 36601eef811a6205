// SPEC §3: paths are confined to the account's namespace.
#include "reference/library/ftp_path.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace imagelib {
namespace {

FtpPath resolve(std::string_view cwd, std::string_view arg) {
  auto path = resolve_ftp_path(cwd, arg);
  EXPECT_TRUE(path.ok()) << cwd << " " << arg << ": " << path.status().to_string();
  return path.ok() ? *path : FtpPath{};
}

TEST(FtpPath, DotDotAtRootStaysAtRoot) {
  EXPECT_EQ(resolve("/", ".."), FtpPath{});
  EXPECT_EQ(resolve("/", "../../.."), FtpPath{});
  EXPECT_EQ(resolve("/incoming", "../../../passwd"), (FtpPath{FtpFolder::kRoot, "passwd"}));
  EXPECT_EQ(resolve_ftp_path("/incoming", "../../../etc/passwd").status().code(),
            ErrorCode::kNotFound);
}

TEST(FtpPath, AbsolutePathsStartAtTheAccountRoot) {
  EXPECT_EQ(resolve("/images", "/incoming/a.img"), (FtpPath{FtpFolder::kIncoming, "a.img"}));
  EXPECT_EQ(resolve("/", "//incoming//./a.img"), (FtpPath{FtpFolder::kIncoming, "a.img"}));
}

TEST(FtpPath, RelativePathsStartAtTheWorkingFolder) {
  EXPECT_EQ(resolve("/incoming", "a.img"), (FtpPath{FtpFolder::kIncoming, "a.img"}));
  EXPECT_EQ(resolve("/incoming", "../images/img-abcde"), (FtpPath{FtpFolder::kImages, "img-abcde"}));
  EXPECT_EQ(resolve("/incoming", ""), (FtpPath{FtpFolder::kIncoming, ""}));
  EXPECT_EQ(resolve("/", "images"), (FtpPath{FtpFolder::kImages, ""}));
}

TEST(FtpPath, NothingExistsBelowAFileOrAnUnknownFolder) {
  EXPECT_EQ(resolve_ftp_path("/", "incoming/a/b").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(resolve_ftp_path("/", "etc/passwd").status().code(), ErrorCode::kNotFound);
}

TEST(FtpPath, PercentEncodingHasNoMeaning) {
  const FtpPath path = resolve("/incoming", "%2e%2e");
  EXPECT_EQ(path, (FtpPath{FtpFolder::kIncoming, "%2e%2e"}));
  EXPECT_FALSE(is_valid_file_name(path.name));
}

TEST(FtpPath, NulBytesAndHugePathsAreBadRequests) {
  EXPECT_EQ(resolve_ftp_path("/", std::string_view("a\0b", 3)).status().code(),
            ErrorCode::kBadRequest);
  EXPECT_EQ(resolve_ftp_path("/", std::string(5000, 'a')).status().code(), ErrorCode::kBadRequest);
}

TEST(FtpPath, FileNamesAllowLettersDigitsAndDashUnderscorePlusDotTildeCaret) {
  EXPECT_TRUE(is_valid_file_name("slackware-13.1_x86+64.~v^2.img"));
  for (const char* bad : {"", ".", "..", "a b", "a/b", "a\\b", "a*", "caf\xc3\xa9", "a;rm", "a\nb"}) {
    EXPECT_FALSE(is_valid_file_name(bad)) << bad;
  }
  EXPECT_FALSE(is_valid_file_name(std::string(256, 'a')));
}

// Whatever the input, a resolved path is one of the namespace's places.
RC_GTEST_PROP(FtpPath, ResolutionNeverEscapesTheNamespace, ()) {
  const auto pieces = *rc::gen::container<std::vector<std::string>>(
      rc::gen::element<std::string>("..", ".", "", "incoming", "images", "a.img", "/", "%2e", "~"));
  std::string arg;
  for (const auto& p : pieces) arg += p + (p == "/" ? "" : "/");
  const std::string cwd = *rc::gen::element<std::string>("/", "/incoming", "/images");
  auto path = resolve_ftp_path(cwd, arg);
  if (!path.ok()) {
    RC_ASSERT(path.status().code() == ErrorCode::kNotFound);
    return;
  }
  RC_ASSERT(path->to_string().find("..") == std::string::npos);
  const auto again = resolve_ftp_path("/", path->to_string());
  RC_ASSERT(again.ok());
  RC_ASSERT(*again == *path);
}

}  // namespace
}  // namespace imagelib
