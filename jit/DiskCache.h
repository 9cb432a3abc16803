//===- DiskCache.h - Checksummed entries, written atomically ---*- C++ -*-===//
//
// A directory of entries, one file each. An entry is one header line and the
// payload:
//
//   attn-cache 1 <payload bytes> <xxh3 of the payload, 16 hex digits>\n
//   <payload>
//
// A reader checks the header, the length and the checksum, so a truncated,
// overwritten or foreign file is never taken for an entry. A writer writes a
// uniquely named temporary file in the same directory and renames it onto
// the entry's name; rename is atomic, so concurrent writers of one entry all
// succeed and leave exactly one complete file, and readers see the old file
// or the new one, never half of one.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_JIT_DISKCACHE_H
#define ATTN_COMPILER_JIT_DISKCACHE_H

#include "llvm/ADT/StringRef.h"

#include <functional>
#include <optional>
#include <string>

namespace attn::jit {

class DiskCache {
public:
  /// Receives one line per problem: a damaged entry, a failed write.
  using Reporter = std::function<void(const std::string &)>;

  DiskCache(std::string directory, Reporter reporter);

  /// The payload of entry `name`, or nullopt when there is no usable one. A
  /// damaged entry is reported (once per process and path) and treated as
  /// absent; the caller rebuilds it and store() replaces it.
  std::optional<std::string> load(llvm::StringRef name) const;
  /// Writes entry `name`; false (and a report) when it could not. A cache
  /// that cannot write still leaves the caller with its result.
  bool store(llvm::StringRef name, llvm::StringRef payload) const;

  std::string path(llvm::StringRef name) const;
  const std::string &directory() const { return directory_; }

  /// The bytes of an entry holding `payload`.
  static std::string encode(llvm::StringRef payload);
  /// The payload of entry bytes `file`, or nullopt with `why` set to what is
  /// wrong ("truncated: ...", "checksum mismatch", ...).
  static std::optional<std::string> decode(llvm::StringRef file,
                                           std::string &why);

private:
  std::string directory_;
  Reporter reporter_;
};

} // namespace attn::jit

#endif // ATTN_COMPILER_JIT_DISKCACHE_H
