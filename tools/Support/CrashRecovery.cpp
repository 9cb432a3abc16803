//===- CrashRecovery.cpp - survive crashes in code we do not own ----------===//
#include "tools/Support/CrashRecovery.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>

using namespace llvm;

namespace attn::tools {
namespace {

/// An error that stands for a crash caught by runCrashSafely.
class CrashError : public ErrorInfo<CrashError> {
public:
  static char ID;
  explicit CrashError(std::string message) : message(std::move(message)) {}
  void log(raw_ostream &os) const override { os << message; }
  std::error_code convertToErrorCode() const override {
    return inconvertibleErrorCode();
  }

private:
  std::string message;
};
char CrashError::ID = 0;

/// 256 MiB: the parser recurses once per nesting level, and a few KiB per
/// level times tens of thousands of levels must not overflow. Reserved, not
/// committed: only the pages a deep input touches cost memory.
constexpr unsigned workStackSize = 256u << 20;
/// Where the signal handler runs when the work stack is exhausted.
constexpr size_t signalStackSize = 1u << 20;

/// The reason of the last report_fatal_error or out-of-memory error inside a
/// recovery context, set before the context unwinds; read once the work
/// thread has ended. Fixed storage: it is written after allocation failed.
char fatalReason[1024];

void recordAndUnwind(const char *reason) {
  std::strncpy(fatalReason, reason ? reason : "", sizeof(fatalReason) - 1);
  CrashRecoveryContext::GetCurrent()->HandleExit(1);
}

/// Outside a recovery context, LLVM's own behaviour: print and exit.
void onFatalError(void *, const char *reason, bool) {
  if (CrashRecoveryContext::GetCurrent())
    recordAndUnwind(reason);
  errs() << "LLVM ERROR: " << reason << "\n";
}

void onBadAlloc(void *, const char *reason, bool) {
  if (CrashRecoveryContext::GetCurrent())
    recordAndUnwind("out of memory");
  const char message[] = "LLVM ERROR: out of memory\n";
  (void)!::write(2, message, sizeof(message) - 1);
  std::abort(); // A bad-alloc handler must not return.
}

/// Enables crash recovery once per process. CrashRecoveryContext's signal
/// handlers run on the interrupted stack, which a stack overflow has just
/// exhausted: they get SA_ONSTACK, and the work thread an alternate stack.
void enableOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    CrashRecoveryContext::Enable();
    install_fatal_error_handler(onFatalError);
    install_bad_alloc_error_handler(onBadAlloc);
    for (int signal : {SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP}) {
      struct sigaction action;
      if (sigaction(signal, nullptr, &action) != 0)
        continue;
      action.sa_flags |= SA_ONSTACK;
      sigaction(signal, &action, nullptr);
    }
  });
}

} // namespace

Error runCrashSafely(function_ref<Error()> work, StringRef what) {
  enableOnce();
  Error result = Error::success();
  // Outlives the work thread, which may end in the middle of using it.
  std::unique_ptr<char[]> signalStack(new char[signalStackSize]);
  CrashRecoveryContext context;
  bool ok = context.RunSafelyOnThread(
      [&] {
        stack_t stack = {};
        stack.ss_sp = signalStack.get();
        stack.ss_size = signalStackSize;
        sigaltstack(&stack, nullptr);
        fatalReason[0] = 0;
        cantFail(std::move(result));
        result = work();
      },
      workStackSize);
  if (ok)
    return result;
  // The work did not finish: whatever it returned is not meaningful.
  consumeError(std::move(result));
  std::string reason;
  if (context.RetCode > 128) {
    int signal = context.RetCode - 128;
    reason = std::string("crashed with ") + strsignal(signal) + " (signal " +
             std::to_string(signal) + ")";
  } else {
    reason = fatalReason[0] ? fatalReason : "fatal error";
  }
  return make_error<CrashError>("internal error while " + what.str() + ": " +
                                reason);
}

bool isCrash(const Error &error) { return error.isA<CrashError>(); }

} // namespace attn::tools
