//===- OutputFile.cpp - write a tool's result without clobbering ----------===//
#include "tools/Support/OutputFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace attn::tools {

/// True if `path` (following links) is the file open as descriptor `fd`.
static bool isOpenAs(StringRef path, int fd) {
  sys::fs::file_status pathStatus, fdStatus;
  if (sys::fs::status(path, pathStatus) || sys::fs::status(fd, fdStatus))
    return false;
  return pathStatus.getUniqueID() == fdStatus.getUniqueID();
}

bool isStandardOutput(StringRef path) {
  return path == "-" || isOpenAs(path, 1);
}

static Error writeStream(raw_fd_ostream &os, StringRef path,
                         StringRef contents) {
  os << contents;
  os.flush();
  if (!os.has_error())
    return Error::success();
  std::error_code ec = os.error();
  os.clear_error();
  return createStringError(ec, "cannot write '" + path + "': " + ec.message());
}

/// Writes through: for devices, FIFOs, sockets and dangling links.
static Error writeThrough(StringRef path, StringRef contents) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec,
                             "cannot write '" + path + "': " + ec.message());
  return writeStream(os, path, contents);
}

/// Writes a temporary file beside `target`, then renames it over `target`.
static Error replaceAtomically(StringRef path, StringRef target,
                               StringRef contents,
                               std::optional<sys::fs::perms> keepPerms) {
  auto fail = [&](std::error_code ec) {
    return createStringError(ec,
                             "cannot write '" + path + "': " + ec.message());
  };
  Expected<sys::fs::TempFile> temp =
      sys::fs::TempFile::create(target + ".tmp-%%%%%%");
  if (!temp)
    return fail(errorToErrorCode(temp.takeError()));
  Error written = Error::success();
  {
    raw_fd_ostream os(temp->FD, /*shouldClose=*/false);
    written = writeStream(os, path, contents);
  }
  if (!written && keepPerms)
    if (std::error_code ec = sys::fs::setPermissions(temp->FD, *keepPerms))
      written = fail(ec);
  if (written) {
    consumeError(temp->discard());
    return written;
  }
  if (Error kept = temp->keep(target))
    return fail(errorToErrorCode(std::move(kept)));
  return Error::success();
}

Error writeOutputFile(StringRef path, StringRef contents) {
  if (isStandardOutput(path))
    return writeStream(outs(), path, contents);
  if (isOpenAs(path, 2))
    return writeStream(errs(), path, contents);

  // Where the bytes go: the path itself, or the file a link points to.
  SmallString<256> target(path);
  sys::fs::file_status linkStatus;
  if (!sys::fs::status(path, linkStatus, /*follow=*/false) &&
      linkStatus.type() == sys::fs::file_type::symlink_file) {
    SmallString<256> resolved;
    if (sys::fs::real_path(path, resolved))
      return writeThrough(path, contents); // Dangling: creates the target.
    target = resolved;
  }
  sys::fs::file_status status;
  std::error_code ec = sys::fs::status(target, status);
  if (ec == std::errc::no_such_file_or_directory)
    return replaceAtomically(path, target, contents, std::nullopt);
  if (ec)
    return createStringError(ec,
                             "cannot write '" + path + "': " + ec.message());
  switch (status.type()) {
  case sys::fs::file_type::regular_file:
    return replaceAtomically(path, target, contents, status.permissions());
  case sys::fs::file_type::directory_file:
    return createStringError(std::make_error_code(std::errc::is_a_directory),
                             "cannot write '" + path + "': it is a directory");
  default:
    return writeThrough(target, contents);
  }
}

} // namespace attn::tools
