//===- DriverSupport.h - shared by the command-line drivers -----*- C++ -*-===//
//
// What attn-opt, attn-compile and attn-cpu-run do alike: register the
// dialects, parse the command line and read the input with one-line errors,
// print MLIR diagnostics with the real file name, line and caret, and
// survive crashes in code they do not own.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TOOLS_SUPPORT_DRIVERSUPPORT_H
#define ATTN_TOOLS_SUPPORT_DRIVERSUPPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

namespace attn {

/// Registers every dialect, extension and LLVM IR translation the pipelines
/// use, plus the attn and tile dialects.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// Parses the command line. A bad flag or value is reported as one line,
/// "<tool>: error: ...", and the process exits with status 1.
void parseCommandLineOrExit(int argc, char **argv, llvm::StringRef overview);

namespace tools {

/// Unregisters libLLVM's codegen-debugging flags --start-before,
/// --start-after, --stop-before and --stop-after: set, they make the NVPTX
/// backend abort ("pass is not registered"), and a user who types
/// --stop-after means the pipelines' stop-after. Unknown flags are refused.
void removeBackendPipelineFlags();

/// Prints "<tool>: error: <message>" on stderr and returns 1.
int reportError(llvm::StringRef tool, const llvm::Twine &message);

/// --help shows the tool's own options, the problem and the compiler
/// options, and hides LLVM's (still listed by --help-hidden).
void showOnlyToolOptions(llvm::cl::OptionCategory &toolCategory);

/// Reads `path` ("-": standard input) whole. Refuses, naming the file and
/// the rule: a file that cannot be read, one that is not text (it holds a
/// NUL byte, where MLIR's lexer would silently stop) and, unless
/// `allowEmpty`, an empty one.
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readInputFile(llvm::StringRef path, bool allowEmpty = false);

/// Prints MLIR diagnostics as attn-opt does ("file:line:col: error: ...",
/// the source line and a caret; never the whole operation) and counts the
/// errors. Lives as long as the context is used.
class ToolDiagnostics {
public:
  ToolDiagnostics(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context);
  unsigned numErrors() const { return errors; }

  /// Prints and counts a diagnostic raised in another context on a copy of
  /// the input that was named `copyName`: its locations in the copy are
  /// shown at the same line and column of the input.
  void forward(mlir::Diagnostic &diagnostic, llvm::StringRef copyName);

private:
  mlir::MLIRContext &context;
  llvm::StringRef inputName;
  mlir::SourceMgrDiagnosticHandler printer;
  mlir::ScopedDiagnosticHandler counter;
  unsigned errors = 0;
};

/// Parses the main buffer of `sourceMgr` and checks that it holds exactly
/// one attn.attention or attn.attention_backward; every error is a diagnostic
/// at its place in the file.
mlir::OwningOpRef<mlir::ModuleOp>
parseAttentionModule(llvm::SourceMgr &sourceMgr, mlir::MLIRContext &context);

/// The heap a tool may use (RLIMIT_DATA): compiling takes well under 1 GiB
/// and attn-cpu-run's buffers at most 4 GiB. Upstream parsers allocate what
/// the text asks for (a vector type of 2^31 elements: a 16 GiB list of
/// types, 20 s of page faults); past this cap that is an "out of memory"
/// error at once instead.
constexpr uint64_t kToolHeapBytes = uint64_t(8) << 30;

/// Runs a tool's work on a thread with a large stack, catching crashes
/// (attn::runCrashSafely), with the heap capped at kToolHeapBytes (lowered
/// only). Returns the work's exit status; after a crash prints
/// "<tool>: error: the compiler crashed while <what>: ..." and exits at once
/// with status 1, skipping cleanup of a state the crash left unreliable.
int runToolSafely(llvm::StringRef tool, const llvm::Twine &what,
                  llvm::function_ref<int()> work);

} // namespace tools
} // namespace attn

#endif // ATTN_TOOLS_SUPPORT_DRIVERSUPPORT_H
