//===- File.h - Read a file without surprises ------------------*- C++ -*-===//
//
// Reading a path a user or a cache names: only a regular file is read, and
// only up to a bound, and opening it never blocks. A FIFO, a device (say a
// link to /dev/zero) or a file larger than the bound is an error that says
// what the path is, never a hang or an out-of-memory abort.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_RUNTIME_FILE_H
#define ATTN_RUNTIME_FILE_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>

namespace attn::rt {

/// The contents of the regular file at `path`, at most `maxBytes` long.
/// Errors (StatusCode::IoError) read "cannot open '<path>': <why>" or
/// "cannot read '<path>': it is a FIFO, not a regular file", "...: it holds
/// N bytes, more than the M this reader accepts".
Expected<std::string> readFile(const std::string &path,
                               uint64_t maxBytes = uint64_t(1) << 30);

} // namespace attn::rt

#endif // ATTN_RUNTIME_FILE_H
