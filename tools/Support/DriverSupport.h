//===- DriverSupport.h - shared by the command-line drivers -----*- C++ -*-===//
#ifndef ATTN_TOOLS_SUPPORT_DRIVERSUPPORT_H
#define ATTN_TOOLS_SUPPORT_DRIVERSUPPORT_H

#include "compiler/Target/Compile.h"

#include "mlir/IR/DialectRegistry.h"
#include "llvm/Support/Error.h"

namespace attn {

/// Registers every dialect, extension and LLVM IR translation the pipelines
/// use, plus the attn and tile dialects.
void registerCompilerDialects(mlir::DialectRegistry &registry);

/// An AttentionSpec from command-line flags: `shape` is "BxHxNxD".
llvm::Expected<AttentionSpec> parseAttentionSpec(llvm::StringRef shape,
                                                 llvm::StringRef dtype,
                                                 bool causal, bool lse);

/// Parses the command line. A bad flag or value is reported as one line,
/// "<tool>: error: ...", and the process exits with status 1.
void parseCommandLineOrExit(int argc, char **argv, llvm::StringRef overview);

} // namespace attn

#endif // ATTN_TOOLS_SUPPORT_DRIVERSUPPORT_H
