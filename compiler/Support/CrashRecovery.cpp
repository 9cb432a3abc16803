//===- CrashRecovery.cpp - Run code that may crash, get an error ----------===//
#include "compiler/Support/CrashRecovery.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <signal.h>
#include <unistd.h>

namespace attn {

namespace {

/// What the work on one recovery thread left when it crashed.
struct CrashInfo {
  std::string fatalMessage;
};

/// The CrashInfo of the work running on this thread, if any.
thread_local CrashInfo *currentCrash = nullptr;

/// The signals llvm::CrashRecoveryContext catches.
const int kCaughtSignals[] = {SIGABRT, SIGBUS,  SIGFPE,
                              SIGILL,  SIGSEGV, SIGTRAP};

/// LLVM's fatal errors (`LLVM ERROR: ...`): inside runCrashSafely the
/// message is kept and the work is abandoned (sys::Process::Exit hands over
/// to the recovery context); elsewhere it is printed as LLVM prints it and
/// LLVM goes on to end the process as it would have.
void fatalErrorHandler(void *, const char *reason, bool) {
  if (currentCrash && llvm::CrashRecoveryContext::GetCurrent()) {
    currentCrash->fatalMessage = reason;
    llvm::sys::Process::Exit(1);
  }
  llvm::errs() << "LLVM ERROR: " << reason << "\n";
  llvm::errs().flush();
}

/// A failed allocation. Without a handler LLVM prints "LLVM ERROR: out of
/// memory" and aborts, which recovery would then report a second time as
/// SIGABRT; inside runCrashSafely it becomes the work's fatal error instead,
/// one line that names the cause. Elsewhere it keeps LLVM's behaviour.
void badAllocHandler(void *, const char *, bool) {
  if (currentCrash && llvm::CrashRecoveryContext::GetCurrent()) {
    currentCrash->fatalMessage = "out of memory";
    llvm::sys::Process::Exit(1);
  }
  const char message[] = "LLVM ERROR: out of memory\n";
  (void)!::write(2, message, sizeof(message) - 1);
  std::abort(); // A bad-alloc handler must not return.
}

/// Arms crash recovery. Called at every runCrashSafely: LLVM disarms it for
/// the whole process when a signal arrives outside a recovery context (it
/// hands the signal to the handlers that were there before), and a later
/// compile must still be guarded.
void enableCrashRecovery() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::install_fatal_error_handler(fatalErrorHandler);
    llvm::install_bad_alloc_error_handler(badAllocHandler);
  });
  llvm::CrashRecoveryContext::Enable();
  // LLVM installs its handlers without SA_ONSTACK; with it, a handler runs
  // on the alternate stack of the thread that crashed, which is the only
  // way to handle a stack overflow.
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  for (int signal : kCaughtSignals) {
    struct sigaction action;
    if (sigaction(signal, nullptr, &action) != 0 ||
        (action.sa_flags & SA_ONSTACK))
      continue;
    action.sa_flags |= SA_ONSTACK;
    sigaction(signal, &action, nullptr);
  }
}

/// Why the work crashed, from the recovery context's return code.
std::string describeCrash(int retCode, const CrashInfo &info) {
  if (!info.fatalMessage.empty())
    return "LLVM ERROR: " + info.fatalMessage;
  if (retCode > 128 && retCode < 128 + 65) {
    int signal = retCode - 128;
    std::string text = "signal " + std::to_string(signal);
    if (const char *name = strsignal(signal))
      text += std::string(" (") + name + ")";
    if (signal == SIGSEGV)
      text += ": a bad memory access, or a stack overflow on input nested "
              "too deeply";
    return text;
  }
  return "it exited with status " + std::to_string(retCode);
}

} // namespace

llvm::Error runCrashSafely(llvm::function_ref<llvm::Error()> fn,
                           llvm::StringRef what, size_t stackBytes) {
  enableCrashRecovery();
  CrashInfo info;
  // The alternate signal stack of the work's thread, owned here so that it
  // is freed after the thread ended, crashed or not.
  std::vector<char> signalStack(std::max<size_t>(SIGSTKSZ, 64 * 1024));
  llvm::Error result = llvm::Error::success();
  llvm::CrashRecoveryContext context;
  bool completed = context.RunSafelyOnThread(
      [&] {
        stack_t alternate = {};
        alternate.ss_sp = signalStack.data();
        alternate.ss_size = signalStack.size();
        sigaltstack(&alternate, nullptr);
        currentCrash = &info;
        llvm::Error error = fn();
        currentCrash = nullptr;
        result = std::move(error);
      },
      unsigned(std::min<size_t>(stackBytes, 1u << 31)));
  if (completed)
    return result;
  llvm::consumeError(std::move(result));
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "the compiler crashed while " + what + ": " +
                                     describeCrash(context.RetCode, info) +
                                     ". This is a bug in attn or in "
                                     "MLIR/LLVM; the input that caused it "
                                     "would help to fix it");
}

} // namespace attn
