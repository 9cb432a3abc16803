//===- CrashRecovery.h - Run code that may crash, get an error --*- C++ -*-===//
//
// The MLIR parser and LLVM have inputs that crash them (null dereferences,
// failed asserts, `LLVM ERROR`s, stack overflows on deeply nested text).
// runCrashSafely runs a piece of work on a fresh thread with a large stack
// under llvm::CrashRecoveryContext, as clang-based tools do, so that such a
// crash comes back as an llvm::Error instead of ending the process:
//
//   llvm::Error error = attn::runCrashSafely(
//       [&]() -> llvm::Error { return compileSomething(); },
//       "compiling the module");
//   // "the compiler crashed while compiling the module: signal 11 ..."
//
// What a crash leaves behind is unknown: memory it allocated is leaked and
// objects it was using may be half-updated. Give the work state of its own
// (a fresh MLIRContext), keep it single-threaded (a crash on a thread the
// work starts is not caught) and do not reuse anything it touched.
//
// runCrashSafely arms LLVM's crash-recovery signal handlers for the process
// (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP) and leaves them armed;
// a signal outside a recovery context still goes to the handlers that were
// there before. The handlers run on an alternate signal stack, so that a
// stack overflow is caught too. The first call also installs an LLVM
// fatal-error handler that keeps the message of an `LLVM ERROR` inside the
// work (outside, it prints the message as LLVM does); a process that
// installs its own handler afterwards still gets an error for such a crash,
// without the message.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_SUPPORT_CRASHRECOVERY_H
#define ATTN_COMPILER_SUPPORT_CRASHRECOVERY_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>

namespace attn {

/// The stack of the thread runCrashSafely starts: 512 MiB. Only the pages
/// the work touches are ever allocated.
constexpr size_t kCrashSafeStackBytes = size_t(512) << 20;

/// Runs `fn` on a new thread with a `stackBytes` stack and returns its
/// error. A crash inside it (a signal, an abort, an LLVM fatal error) is an
/// error instead: "the compiler crashed while <what>: <cause>". The calling
/// thread waits for it.
llvm::Error runCrashSafely(llvm::function_ref<llvm::Error()> fn,
                           llvm::StringRef what,
                           size_t stackBytes = kCrashSafeStackBytes);

} // namespace attn

#endif // ATTN_COMPILER_SUPPORT_CRASHRECOVERY_H
