//===- PipelineFlags.h - compiler options as command-line flags -*- C++ -*-===//
//
// attn-compile and attn-cpu-run take the pipeline options as flags
// (--block-m 64 --chip sm_80). Their names and help come from
// PipelineOptions, and their text goes to parseOptions(), so every driver
// accepts and refuses exactly the same values with the same message.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TOOLS_SUPPORT_PIPELINEFLAGS_H
#define ATTN_TOOLS_SUPPORT_PIPELINEFLAGS_H

#include "compiler/Pipelines/Options.h"

namespace attn::tools {

/// The category of the flags below; tools show it (and their own) in --help.
llvm::cl::OptionCategory &compilerCategory();

/// Parses the --block-m, --block-n, --num-warps, --num-stages,
/// --split-keys, --chip, ... and --testing-* flags given into `options` and
/// validates them.
llvm::Error readPipelineFlags(PipelineOptions &options);

} // namespace attn::tools

#endif // ATTN_TOOLS_SUPPORT_PIPELINEFLAGS_H
