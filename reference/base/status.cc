#include "reference/base/status.h"

#include <array>

#include "reference/base/error_table.h"

namespace imagelib {
namespace {

constexpr std::array<ErrorInfo, 14> kErrorTable{{
    {ErrorCode::kOk, "ok", 200, "", 200, "OK."},
    {ErrorCode::kBadRequest, "bad_request", 400, "bad_request", 501,
     "Syntax error in parameters or arguments."},
    {ErrorCode::kUnauthorized, "unauthorized", 401, "unauthorized", 530,
     "Please login with USER and PASS."},
    {ErrorCode::kForbidden, "forbidden", 403, "forbidden", 550, "Permission denied."},
    {ErrorCode::kNotFound, "not_found", 404, "missing_resource", 550,
     "Failed to open file."},
    {ErrorCode::kConflict, "conflict", 409, "resource_conflict", 550,
     "Requested action not taken."},
    {ErrorCode::kUnprocessable, "unprocessable", 422, "unprocessable_entity", 501,
     "Invalid argument."},
    {ErrorCode::kCannotCreate, "cannot_create", 403, "forbidden", 553,
     "Could not create file."},
    {ErrorCode::kPermissionDenied, "permission_denied", 403, "forbidden", 550,
     "Permission denied."},
    {ErrorCode::kQuotaExceeded, "quota_exceeded", 422, "unprocessable_entity", 552,
     "Storage quota exceeded."},
    {ErrorCode::kLoginIncorrect, "login_incorrect", 401, "unauthorized", 530,
     "Login incorrect."},
    {ErrorCode::kBadImage, "bad_image", 422, "unprocessable_entity", 550,
     "Image rejected."},
    {ErrorCode::kOutOfRange, "out_of_range", 416, "range_not_satisfiable", 554,
     "Requested range not satisfiable."},
    {ErrorCode::kInternal, "internal", 500, "internal_error", 451,
     "Requested action aborted: local error in processing."},
}};

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  return kErrorTable.at(static_cast<std::size_t>(code));
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  return std::string(error_info(code_).short_name) + ": " + message_;
}

}  // namespace imagelib
