//===- DiskCache.cpp - Checksummed cache entries, written atomically ------===//
#include "jit/DiskCache.h"

#include "runtime/File.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <mutex>

using namespace llvm;

namespace attn::jit {

static constexpr StringLiteral kMagic = "attn-cache";
static constexpr StringLiteral kFormatVersion = "2";

DiskCache::DiskCache(std::string directory, Reporter reporter)
    : directory_(std::move(directory)), reporter_(std::move(reporter)) {}

std::string DiskCache::path(StringRef name) const {
  SmallString<256> result(directory_);
  sys::path::append(result, name);
  return std::string(result);
}

static uint64_t checksum(StringRef keyMaterial, StringRef payload) {
  std::string both = keyMaterial.str();
  both += payload;
  return xxh3_64bits(both);
}

std::string DiskCache::encode(StringRef keyMaterial, StringRef payload) {
  std::string file;
  raw_string_ostream os(file);
  os << kMagic << ' ' << kFormatVersion << ' ' << keyMaterial.size() << ' '
     << payload.size() << ' '
     << format_hex_no_prefix(checksum(keyMaterial, payload), 16) << '\n'
     << keyMaterial << payload;
  return file;
}

std::optional<std::string>
DiskCache::decode(StringRef file, StringRef keyMaterial, std::string &why) {
  size_t newline = file.find('\n');
  if (newline == StringRef::npos || newline > 200) {
    why = "no header line (truncated or not a cache entry)";
    return std::nullopt;
  }
  SmallVector<StringRef, 5> fields;
  file.take_front(newline).split(fields, ' ');
  if (fields.size() < 2 || fields[0] != kMagic) {
    why = "malformed header (not a cache entry)";
    return std::nullopt;
  }
  if (fields[1] != kFormatVersion) {
    why = "entry format " + fields[1].str() + ", this reader reads " +
          kFormatVersion.str();
    return std::nullopt;
  }
  uint64_t keySize = 0, payloadSize = 0, sum = 0;
  if (fields.size() != 5 || fields[2].getAsInteger(10, keySize) ||
      fields[3].getAsInteger(10, payloadSize) || fields[4].size() != 16 ||
      fields[4].getAsInteger(16, sum)) {
    why = "malformed header (not a cache entry)";
    return std::nullopt;
  }
  StringRef body = file.drop_front(newline + 1);
  // Checked one at a time: the sum of two sizes read from a file could wrap.
  if (keySize > body.size() || payloadSize > body.size() - keySize) {
    why = "truncated: " + std::to_string(body.size()) + " of " +
          std::to_string(keySize) + " + " + std::to_string(payloadSize) +
          " bytes";
    return std::nullopt;
  }
  if (body.size() > keySize + payloadSize) {
    why = std::to_string(body.size() - keySize - payloadSize) +
          " bytes past the end of the payload";
    return std::nullopt;
  }
  StringRef storedKey = body.take_front(keySize);
  StringRef payload = body.drop_front(keySize);
  if (checksum(storedKey, payload) != sum) {
    why = "checksum mismatch (the entry was altered)";
    return std::nullopt;
  }
  if (storedKey != keyMaterial) {
    why = "made for another request (its compiler version, options or input "
          "differ from this one's); it was copied or renamed under this key";
    return std::nullopt;
  }
  return payload.str();
}

/// Paths reported in this process: each is reported once.
static bool firstReportOf(StringRef path) {
  static std::mutex mutex;
  static StringSet<> *reported = new StringSet<>();
  std::lock_guard<std::mutex> lock(mutex);
  return reported->insert(path).second;
}

void DiskCache::reportOnce(const std::string &path,
                           const std::string &message) const {
  if (firstReportOf(path) && reporter_)
    reporter_(message);
}

std::optional<std::string> DiskCache::load(StringRef name,
                                           StringRef keyMaterial) const {
  std::string file = path(name);
  sys::fs::file_status status;
  if (std::error_code error = sys::fs::status(file, status)) {
    if (error == std::errc::no_such_file_or_directory ||
        error == std::errc::not_a_directory)
      return std::nullopt; // No entry (or no directory): a miss.
    reportOnce(file, "cannot read cache entry '" + file +
                         "': " + error.message() + "; rebuilding it");
    return std::nullopt;
  }
  if (status.type() == sys::fs::file_type::directory_file) {
    // An empty directory is removed so that the entry can be written; one
    // with something in it is left alone, and its key is not cached.
    if (!sys::fs::remove(file, /*IgnoreNonExisting=*/true))
      reportOnce(file, "cache entry '" + file +
                           "' was an empty directory; removed it");
    else
      reportOnce(file, "cache entry '" + file +
                           "' is a directory that is not empty; this kernel "
                           "is not cached until it is removed");
    return std::nullopt;
  }
  // Only a regular file is read, opened without blocking and bounded: a
  // FIFO, a device or a huge file is refused with what it is.
  rt::Expected<std::string> bytes = rt::readFile(file, kMaxEntryBytes);
  if (!bytes.ok()) {
    reportOnce(file, "unusable cache entry: " + bytes.status().message() +
                         "; ignoring it and rebuilding");
    return std::nullopt;
  }
  std::string why;
  std::optional<std::string> payload = decode(*bytes, keyMaterial, why);
  if (!payload)
    reportOnce(file, "damaged cache entry '" + file + "': " + why +
                         "; ignoring it and rebuilding");
  return payload;
}

bool DiskCache::store(StringRef name, StringRef keyMaterial,
                      StringRef payload) const {
  auto report = [&](const Twine &what, std::error_code error) {
    if (reporter_)
      reporter_(("cannot write cache entry '" + path(name) + "': " + what +
                 ": " + error.message())
                    .str());
    return false;
  };
  if (std::error_code error = sys::fs::create_directories(directory_))
    return report("cannot create the directory", error);
  // A directory in the entry's place was reported by load(); rename cannot
  // replace it.
  if (sys::fs::is_directory(path(name)))
    return false;

  // A unique temporary file in the same directory (so that rename does not
  // cross file systems), then rename onto the entry.
  int fd = -1;
  SmallString<256> temporary;
  if (std::error_code error = sys::fs::createUniqueFile(
          path(name) + ".tmp-%%%%%%%%%%%%", fd, temporary))
    return report("cannot create a temporary file", error);
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << encode(keyMaterial, payload);
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
