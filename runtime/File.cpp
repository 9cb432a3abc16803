//===- File.cpp - Read a file without surprises ---------------------------===//

#include "runtime/File.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace attn::rt;

/// What a file that is not a regular one is, for errors.
static const char *kindOf(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "something else";
}

Expected<std::string> attn::rt::readFile(const std::string &path,
                                         uint64_t maxBytes) {
  auto failure = [&](const std::string &why) {
    return Status::error(StatusCode::IoError,
                         "cannot read '" + path + "': " + why);
  };
  // O_NONBLOCK: opening a FIFO does not wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return Status::error(StatusCode::IoError,
                         "cannot open '" + path + "': " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info;
  if (::fstat(fd, &info) != 0)
    return failure(std::strerror(errno));
  if (!S_ISREG(info.st_mode))
    return failure(std::string("it is ") + kindOf(info.st_mode) +
                   ", not a regular file");
  if (uint64_t(info.st_size) > maxBytes)
    return failure("it holds " + std::to_string(info.st_size) +
                   " bytes, more than the " + std::to_string(maxBytes) +
                   " this reader accepts");
  std::string text(size_t(info.st_size), '\0');
  size_t done = 0;
  while (done < text.size()) {
    ssize_t got = ::read(fd, text.data() + done, text.size() - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return failure(std::strerror(errno));
    if (got == 0)
      break; // Shrunk while being read: keep what is there.
    done += size_t(got);
  }
  text.resize(done);
  return text;
}
