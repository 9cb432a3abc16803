//===- DriverSupport.h - shared by the command-line drivers -----*- C++ -*-===//
#ifndef ATTN_COMPILER_DRIVERSUPPORT_H
#define ATTN_COMPILER_DRIVERSUPPORT_H

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

} // namespace attn

#endif // ATTN_COMPILER_DRIVERSUPPORT_H
