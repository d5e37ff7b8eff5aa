// Errors as values at module boundaries, in the style of LevelDB's Status.
// Inside a module exceptions may be used; they never cross a boundary that
// returns Status or Result.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace pb {

enum class Code {
  kOk = 0,
  kInvalid,      // bad input from a user or a mail
  kNotFound,
  kDuplicate,    // the thing already exists (e.g. same Message-ID in a project)
  kDropped,      // deliberately not stored (ignore hint, unknown list, ...)
  kConflict,
  kIo,
  kDatabase,
  kInternal,
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string m) { return {Code::kInvalid, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status Duplicate(std::string m) { return {Code::kDuplicate, std::move(m)}; }
  static Status Dropped(std::string m) { return {Code::kDropped, std::move(m)}; }
  static Status Io(std::string m) { return {Code::kIo, std::move(m)}; }
  static Status Database(std::string m) { return {Code::kDatabase, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace pb
