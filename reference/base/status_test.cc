#include "reference/base/status.h"

#include <gtest/gtest.h>

#include <set>

#include "reference/base/error_table.h"

namespace imagelib {
namespace {

TEST(ErrorTable, EveryCodeHasItsOwnRow) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    EXPECT_EQ(error_info(code).code, code) << i;
  }
}

TEST(ErrorTable, ApiNamesFollowTheSpec) {
  EXPECT_EQ(error_info(ErrorCode::kNotFound).http_status, 404);
  EXPECT_EQ(error_info(ErrorCode::kNotFound).error_name, "missing_resource");
  EXPECT_EQ(error_info(ErrorCode::kConflict).http_status, 409);
  EXPECT_EQ(error_info(ErrorCode::kConflict).error_name, "resource_conflict");
  EXPECT_EQ(error_info(ErrorCode::kUnprocessable).http_status, 422);
  EXPECT_EQ(error_info(ErrorCode::kUnprocessable).error_name, "unprocessable_entity");
  EXPECT_EQ(error_info(ErrorCode::kForbidden).http_status, 403);
  EXPECT_EQ(error_info(ErrorCode::kUnauthorized).http_status, 401);
}

TEST(ErrorTable, FtpRepliesFollowVsftpd) {
  EXPECT_EQ(error_info(ErrorCode::kCannotCreate).ftp_reply, 553);
  EXPECT_EQ(error_info(ErrorCode::kCannotCreate).ftp_text, "Could not create file.");
  EXPECT_EQ(error_info(ErrorCode::kLoginIncorrect).ftp_reply, 530);
  EXPECT_EQ(error_info(ErrorCode::kLoginIncorrect).ftp_text, "Login incorrect.");
  EXPECT_EQ(error_info(ErrorCode::kQuotaExceeded).ftp_reply, 552);
  EXPECT_EQ(error_info(ErrorCode::kPermissionDenied).ftp_reply, 550);
}

TEST(Result, CarriesAValueOrAnError) {
  Result<int> good = 5;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  Result<int> bad = Status(ErrorCode::kNotFound, "image img-00000");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().to_string(), "not_found: image img-00000");
}

TEST(Result, AnOkStatusIsNotAValue) {
  Result<int> odd = Status();
  EXPECT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().code(), ErrorCode::kInternal);
}

}  // namespace
}  // namespace imagelib
