//===- DiskCache.h - Checksummed entries, written atomically ---*- C++ -*-===//
//
// A directory of entries, one file each. An entry is one header line, the
// key material it was made for and the payload:
//
//   attn-cache 2 <key bytes> <payload bytes> <xxh3 of key and payload>\n
//   <key material><payload>
//
// The key material is everything the entry's name was hashed from (the
// compiler version, the options, the input); a reader compares it with the
// request's, so an entry copied or renamed under another key is never
// taken for that key's. A reader also checks the header, the lengths and
// the checksum, so a truncated, overwritten or foreign file is never
// loaded. Only regular files of at most kMaxEntryBytes are read, opened
// without blocking: a FIFO, a device (a link to /dev/zero) or a huge file
// is reported and ignored, never waited on or read into memory. An entry
// path that is an empty directory is removed and rebuilt; one that is not
// empty is reported once and its key is not cached.
//
// A writer writes a uniquely named temporary file in the same directory and
// renames it onto the entry's name; rename is atomic, so concurrent writers
// of one entry all succeed and leave exactly one complete file, and readers
// see the old file or the new one, never half of one.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_JIT_DISKCACHE_H
#define ATTN_COMPILER_JIT_DISKCACHE_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace attn::jit {

class DiskCache {
public:
  /// Receives one line per problem: a damaged entry, a failed write.
  using Reporter = std::function<void(const std::string &)>;

  /// The largest entry file read (256 MiB; PTX and cubins are far smaller).
  static constexpr uint64_t kMaxEntryBytes = uint64_t(256) << 20;

  DiskCache(std::string directory, Reporter reporter);

  /// The payload of entry `name` made for `keyMaterial`, or nullopt when
  /// there is no usable one. A damaged or foreign entry is reported (once
  /// per process and path) and treated as absent; the caller rebuilds it and
  /// store() replaces it.
  std::optional<std::string> load(llvm::StringRef name,
                                  llvm::StringRef keyMaterial) const;
  /// Writes entry `name`; false (and a report) when it could not. A cache
  /// that cannot write still leaves the caller with its result.
  bool store(llvm::StringRef name, llvm::StringRef keyMaterial,
             llvm::StringRef payload) const;

  std::string path(llvm::StringRef name) const;
  const std::string &directory() const { return directory_; }

  /// The bytes of an entry holding `payload` made for `keyMaterial`.
  static std::string encode(llvm::StringRef keyMaterial,
                            llvm::StringRef payload);
  /// The payload of entry bytes `file` if they were made for `keyMaterial`,
  /// or nullopt with `why` set to what is wrong ("truncated: ...",
  /// "checksum mismatch", "made for another request", ...).
  static std::optional<std::string>
  decode(llvm::StringRef file, llvm::StringRef keyMaterial, std::string &why);

private:
  void reportOnce(const std::string &path, const std::string &message) const;

  std::string directory_;
  Reporter reporter_;
};

} // namespace attn::jit

#endif // ATTN_COMPILER_JIT_DISKCACHE_H
