//===- DiskCache.cpp - Checksummed cache entries, written atomically ------===//
#include "jit/DiskCache.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <mutex>

using namespace llvm;

namespace attn::jit {

static constexpr StringLiteral kMagic = "attn-cache";
static constexpr StringLiteral kFormatVersion = "1";

DiskCache::DiskCache(std::string directory, Reporter reporter)
    : directory_(std::move(directory)), reporter_(std::move(reporter)) {}

std::string DiskCache::path(StringRef name) const {
  SmallString<256> result(directory_);
  sys::path::append(result, name);
  return std::string(result);
}

std::string DiskCache::encode(StringRef payload) {
  std::string file;
  raw_string_ostream os(file);
  os << kMagic << ' ' << kFormatVersion << ' ' << payload.size() << ' '
     << format_hex_no_prefix(xxh3_64bits(payload), 16) << '\n'
     << payload;
  return file;
}

std::optional<std::string> DiskCache::decode(StringRef file, std::string &why) {
  size_t newline = file.find('\n');
  if (newline == StringRef::npos) {
    why = "no header line (truncated or not a cache entry)";
    return std::nullopt;
  }
  SmallVector<StringRef, 4> fields;
  file.take_front(newline).split(fields, ' ');
  uint64_t size = 0, checksum = 0;
  if (fields.size() != 4 || fields[0] != kMagic ||
      fields[2].getAsInteger(10, size) || fields[3].size() != 16 ||
      fields[3].getAsInteger(16, checksum)) {
    why = "malformed header (not a cache entry)";
    return std::nullopt;
  }
  if (fields[1] != kFormatVersion) {
    why = "entry format " + fields[1].str() + ", this reader reads " +
          kFormatVersion.str();
    return std::nullopt;
  }
  StringRef payload = file.drop_front(newline + 1);
  if (payload.size() < size) {
    why = "truncated: " + std::to_string(payload.size()) + " of " +
          std::to_string(size) + " payload bytes";
    return std::nullopt;
  }
  if (payload.size() > size) {
    why = std::to_string(payload.size() - size) +
          " bytes past the end of the payload";
    return std::nullopt;
  }
  if (xxh3_64bits(payload) != checksum) {
    why = "checksum mismatch (the payload was altered)";
    return std::nullopt;
  }
  return payload.str();
}

/// Paths reported damaged in this process: each is reported once.
static bool firstReportOf(StringRef path) {
  static std::mutex mutex;
  static StringSet<> *reported = new StringSet<>();
  std::lock_guard<std::mutex> lock(mutex);
  return reported->insert(path).second;
}

std::optional<std::string> DiskCache::load(StringRef name) const {
  std::string file = path(name);
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(file, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return std::nullopt; // No entry (or unreadable): a miss.
  std::string why;
  std::optional<std::string> payload = decode((*buffer)->getBuffer(), why);
  if (!payload && firstReportOf(file) && reporter_)
    reporter_("damaged cache entry '" + file + "': " + why +
              "; ignoring it and rebuilding");
  return payload;
}

bool DiskCache::store(StringRef name, StringRef payload) const {
  auto report = [&](const Twine &what, std::error_code error) {
    if (reporter_)
      reporter_(("cannot write cache entry '" + path(name) + "': " + what +
                 ": " + error.message())
                    .str());
    return false;
  };
  if (std::error_code error = sys::fs::create_directories(directory_))
    return report("cannot create the directory", error);

  // A unique temporary file in the same directory (so that rename does not
  // cross file systems), then rename onto the entry.
  int fd = -1;
  SmallString<256> temporary;
  if (std::error_code error = sys::fs::createUniqueFile(
          path(name) + ".tmp-%%%%%%%%%%%%", fd, temporary))
    return report("cannot create a temporary file", error);
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << encode(payload);
    os.close();
    if (os.has_error()) {
      std::error_code error = os.error();
      os.clear_error();
      sys::fs::remove(temporary);
      return report("writing '" + temporary + "' failed", error);
    }
  }
  if (std::error_code error = sys::fs::rename(temporary, path(name))) {
    sys::fs::remove(temporary);
    return report("renaming '" + temporary + "' failed", error);
  }
  return true;
}

} // namespace attn::jit
