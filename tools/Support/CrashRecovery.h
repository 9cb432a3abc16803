//===- CrashRecovery.h - survive crashes in code we do not own --*- C++ -*-===//
//
// The MLIR parser crashes on some inputs (upstream bugs: a dense array of
// `index`, nesting thousands of levels deep). The drivers run their work
// through runCrashSafely(), which turns a signal, an `LLVM ERROR` or a stack
// overflow into an llvm::Error instead of killing the process.
//
// TODO: this is the drivers' copy of compiler/Support/CrashRecovery (same
// API); drop it once that one is in main.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TOOLS_SUPPORT_CRASHRECOVERY_H
#define ATTN_TOOLS_SUPPORT_CRASHRECOVERY_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

namespace attn::tools {

/// Runs `work` on a thread with a large stack (256 MiB) under
/// llvm::CrashRecoveryContext. Returns what `work` returns; if it crashes
/// (SIGSEGV, SIGABRT, ..., a stack overflow, report_fatal_error or an
/// out-of-memory error), returns an error "internal error while `what`:
/// <signal or LLVM ERROR text>". After a crash the process state is
/// unreliable: report the error and exit without cleanup (exitAfterCrash).
llvm::Error runCrashSafely(llvm::function_ref<llvm::Error()> work,
                           llvm::StringRef what);

/// True if `error` came from a crash caught by runCrashSafely.
bool isCrash(const llvm::Error &error);

} // namespace attn::tools

#endif // ATTN_TOOLS_SUPPORT_CRASHRECOVERY_H
