// Status and Result<T>: errors as values, for every layer of imagelib.
// Each ErrorCode has exactly one row in the error table (error_table.h) that
// says how the API and the FTP dialogue report it. Thread-compatible values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace imagelib {

enum class ErrorCode : std::uint8_t {
  kOk,
  kBadRequest,        // malformed input: bad JSON, bad FTP argument
  kUnauthorized,      // missing, wrong or expired API credentials
  kForbidden,         // visible but not the caller's to change
  kNotFound,          // missing, or not visible to the caller
  kConflict,          // the resource's state forbids the action
  kUnprocessable,     // well-formed but invalid values
  kCannotCreate,      // a write where writes are not allowed (FTP 553)
  kPermissionDenied,  // delete, rename or mkdir where not allowed (FTP 550)
  kQuotaExceeded,     // the account's storage quota would be passed
  kLoginIncorrect,    // FTP user or password wrong
  kBadImage,          // an image was rejected by the probe or a decoder
  kOutOfRange,        // a read or write outside a file or disk
  kInternal,          // a broken invariant of imagelib itself
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return {}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: image img-abcde" style, for logs and test failures.
  std::string to_string() const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Status(ErrorCode::kInternal, "Result built from an ok Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  // By value, so that `for (auto& x : f().value())` does not dangle.
  T value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define IMAGELIB_RETURN_IF_ERROR(expr)         \
  do {                                         \
    ::imagelib::Status imagelib_status_ = (expr); \
    if (!imagelib_status_.ok()) return imagelib_status_; \
  } while (false)

}  // namespace imagelib
