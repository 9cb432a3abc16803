//===- OutputFile.h - write a tool's result without clobbering --*- C++ -*-===//
//
// `-o PATH` of attn-opt and attn-compile. A compiler must never leave half a
// file behind, and must never replace something it was not asked to create:
//
//  * "-", or a path that names this process's standard output (/dev/stdout,
//    /proc/self/fd/1, the file stdout is redirected to): written to stdout.
//    The same for standard error.
//  * a regular file, or a path that does not exist yet: written to a
//    temporary file in the same directory and renamed over PATH once
//    complete, so readers see the old file or the new one, never half of
//    one; a replaced file keeps its permissions.
//  * a symbolic link: the link stays; the file it points to is treated as
//    above (a dangling link is written through, creating its target).
//  * anything else that exists (a device such as /dev/null, a FIFO, a
//    socket): written through, never replaced.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TOOLS_SUPPORT_OUTPUTFILE_H
#define ATTN_TOOLS_SUPPORT_OUTPUTFILE_H

#include "llvm/Support/Error.h"

namespace attn::tools {

/// True if `path` is "-" or names the file standard output goes to.
bool isStandardOutput(llvm::StringRef path);

/// Writes `contents` to `path` as described above; the error names the path.
llvm::Error writeOutputFile(llvm::StringRef path, llvm::StringRef contents);

} // namespace attn::tools

#endif // ATTN_TOOLS_SUPPORT_OUTPUTFILE_H
