//===- CrashRecoveryTest.cpp - Crashes become errors ----------------------===//
//
// runCrashSafely (compiler/Support/CrashRecovery.h) must hand back the
// work's own result, and turn every kind of crash into an error naming what
// was being done and why it stopped, leaving the process able to go on.
//
//===----------------------------------------------------------------------===//

#include "compiler/Support/CrashRecovery.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

using namespace attn;

#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_NE(std::string(text).find(part), std::string::npos)                   \
      << "'" << (part) << "' not in: " << (text)

namespace {

std::string messageOf(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "(success)";
}

/// Recurses until the stack runs out (`depth` never reaches -1); the frame
/// cannot be optimized away.
__attribute__((noinline)) int recurseDeeply(volatile int depth) {
  volatile char frame[512];
  frame[0] = char(depth);
  if (depth == -1)
    return 0;
  return recurseDeeply(depth + 1) + frame[0];
}

TEST(CrashRecovery, ResultsOfWorkThatDoesNotCrashPassThrough) {
  int runs = 0;
  EXPECT_EQ(messageOf(runCrashSafely(
                [&] {
                  ++runs;
                  return llvm::Error::success();
                },
                "testing")),
            "(success)");
  EXPECT_EQ(messageOf(runCrashSafely(
                [&] {
                  ++runs;
                  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                                 "a plain error");
                },
                "testing")),
            "a plain error");
  EXPECT_EQ(runs, 2);
}

TEST(CrashRecovery, WorkRunsOnAThreadOfItsOwn) {
  std::thread::id caller = std::this_thread::get_id(), worker;
  llvm::cantFail(runCrashSafely(
      [&] {
        worker = std::this_thread::get_id();
        return llvm::Error::success();
      },
      "testing"));
  EXPECT_NE(worker, caller);
}

TEST(CrashRecovery, BadMemoryAccessIsAnError) {
  std::string message = messageOf(runCrashSafely(
      [] {
        volatile int *volatile pointer = nullptr;
        *pointer = 1;
        return llvm::Error::success();
      },
      "dereferencing null"));
  EXPECT_CONTAINS(message,
                  "the compiler crashed while dereferencing null: signal 11");
  EXPECT_CONTAINS(message, "This is a bug in attn or in MLIR/LLVM");
}

TEST(CrashRecovery, AbortIsAnError) {
  std::string message = messageOf(runCrashSafely(
      [] {
        std::abort();
        return llvm::Error::success();
      },
      "aborting"));
  EXPECT_CONTAINS(message, "the compiler crashed while aborting: signal 6");
}

TEST(CrashRecovery, LlvmFatalErrorKeepsItsMessage) {
  std::string message = messageOf(runCrashSafely(
      [] {
        llvm::report_fatal_error("Cannot select: something");
        return llvm::Error::success();
      },
      "selecting instructions"));
  EXPECT_CONTAINS(message, "the compiler crashed while selecting "
                           "instructions: LLVM ERROR: Cannot select: "
                           "something");
}

TEST(CrashRecovery, FailedAllocationIsAnErrorThatSaysSo) {
  std::string message = messageOf(runCrashSafely(
      [] {
        llvm::report_bad_alloc_error("Allocation failed");
        return llvm::Error::success();
      },
      "allocating"));
  EXPECT_EQ(message, "the compiler crashed while allocating: LLVM ERROR: out "
                     "of memory. This is a bug in attn or in MLIR/LLVM; the "
                     "input that caused it would help to fix it");
}

TEST(CrashRecovery, StackOverflowIsAnError) {
  // A 1 MiB stack overflows quickly; the handler runs on the alternate stack.
  std::string message = messageOf(runCrashSafely(
      [] {
        recurseDeeply(0);
        return llvm::Error::success();
      },
      "recursing", /*stackBytes=*/1 << 20));
  EXPECT_CONTAINS(message, "the compiler crashed while recursing: signal 11");
  EXPECT_CONTAINS(message, "stack overflow");
}

TEST(CrashRecovery, TheProcessGoesOnAfterCrashes) {
  for (int i = 0; i < 3; ++i) {
    llvm::Error crashed = runCrashSafely(
        [] {
          std::abort();
          return llvm::Error::success();
        },
        "aborting");
    EXPECT_TRUE(bool(crashed));
    llvm::consumeError(std::move(crashed));
    EXPECT_EQ(messageOf(runCrashSafely([] { return llvm::Error::success(); },
                                       "doing nothing")),
              "(success)");
  }
}

TEST(CrashRecovery, RearmsAfterLlvmDisarmedIt) {
  // LLVM disarms crash recovery for the process when a signal comes outside
  // a recovery context; the next guarded work must still be guarded.
  llvm::CrashRecoveryContext::Disable();
  std::string message = messageOf(runCrashSafely(
      [] {
        std::abort();
        return llvm::Error::success();
      },
      "aborting"));
  EXPECT_CONTAINS(message, "the compiler crashed while aborting: signal 6");
}

} // namespace
