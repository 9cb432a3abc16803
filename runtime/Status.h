//===- Status.h - Errors as values for the runtime -------------*- C++ -*-===//
//
// The runtime never throws and never aborts on a user error: every operation
// that can fail returns a Status (no value) or an Expected<T> (a value or the
// Status that explains why there is none). A failed Status carries a code, so
// callers can tell "no GPU here" (a reason to skip) from a real failure, and a
// message that reads as a sentence.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_STATUS_H
#define ATTN_RUNTIME_STATUS_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace attn::rt {

enum class StatusCode {
  Ok,
  /// libcuda could not be loaded or lacks an entry point.
  NoDriver,
  /// The driver loaded but reports no usable device.
  NoDevice,
  /// A caller passed something the runtime refuses (bad shape, size, name).
  InvalidArgument,
  /// A manifest or other text input is malformed.
  ParseError,
  /// A file could not be read.
  IoError,
  /// A CUDA driver call returned an error.
  DriverError,
};

class [[nodiscard]] Status {
public:
  /// A Status that says "success".
  static Status success() { return Status(); }
  static Status error(StatusCode code, std::string message) {
    assert(code != StatusCode::Ok && "an error needs an error code");
    return Status(code, std::move(message));
  }

  bool ok() const { return code_ == StatusCode::Ok; }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }

  /// True for the codes that mean "this machine has no GPU to run on".
  bool isUnavailable() const {
    return code_ == StatusCode::NoDriver || code_ == StatusCode::NoDevice;
  }

  /// Returns this error with "<context>: " put in front of its message.
  Status withContext(const std::string &context) const {
    if (ok())
      return *this;
    return Status(code_, context + ": " + message_);
  }

private:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::Ok;
  std::string message_;
};

/// A value of type T, or the failed Status that explains why there is none.
template <typename T> class [[nodiscard]] Expected {
public:
  Expected(T value) : value_(std::move(value)), status_(Status::success()) {}
  Expected(Status error) : status_(std::move(error)) {
    assert(!status_.ok() && "an Expected without a value needs an error");
  }

  bool ok() const { return value_.has_value(); }
  const Status &status() const { return status_; }

  T &value() {
    assert(ok() && "reading the value of a failed Expected");
    return *value_;
  }
  const T &value() const {
    assert(ok() && "reading the value of a failed Expected");
    return *value_;
  }
  T &operator*() { return value(); }
  const T &operator*() const { return value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  /// Moves the value out; the Expected must hold one.
  T take() {
    assert(ok() && "taking the value of a failed Expected");
    return std::move(*value_);
  }

private:
  std::optional<T> value_;
  Status status_;
};

} // namespace attn::rt

#endif // ATTN_RUNTIME_STATUS_H
