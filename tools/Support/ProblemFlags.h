//===- ProblemFlags.h - an attention problem from the command line -*- C++ -*-//
//
// attn-compile and attn-cpu-run compile either an input file or a problem
// given as flags: --shape BxHxNxD, --kv-heads, --kv-len, --dtype, --causal,
// --lse, --backward. The
// flags, their defaults and their checks live here so both tools agree.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TOOLS_SUPPORT_PROBLEMFLAGS_H
#define ATTN_TOOLS_SUPPORT_PROBLEMFLAGS_H

#include "compiler/Target/Compile.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

namespace attn::tools {

/// The category of the problem flags; tools show it in --help.
llvm::cl::OptionCategory &problemCategory();

/// The input of a tool: the module built from the problem flags if --shape
/// is given (named "<--shape BxHxNxD>" in diagnostics), else the file
/// `inputFile` ("-": standard input), read by readInputFile. Refuses a file
/// and --shape together, neither of them, and the other problem flags
/// without --shape (the file's op says those).
llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>
readProblemOrFile(llvm::StringRef inputFile, bool inputGiven);

/// The problem the flags give, or none without --shape (with
/// --runtime-sizes, its sizes are those of the run, not of the op).
llvm::Expected<std::optional<AttentionSpec>> problemFromFlags();

} // namespace attn::tools

#endif // ATTN_TOOLS_SUPPORT_PROBLEMFLAGS_H
