//===- Pipelines.h - the fused and unfused pipelines ------------*- C++ -*-===//
#ifndef ATTN_COMPILER_PIPELINES_PIPELINES_H
#define ATTN_COMPILER_PIPELINES_PIPELINES_H

#include "compiler/Pipelines/Options.h"

#include "mlir/Pass/PassManager.h"

namespace attn {

/// Fills `pm` with attn.attention -> one FlashAttention kernel, stopping
/// after `options.stopAfter`. The options must have been validated.
void buildFusedPipeline(mlir::OpPassManager &pm,
                        const PipelineOptions &options);
/// Fills `pm` with attn.attention -> three kernels with S and P in memory.
void buildUnfusedPipeline(mlir::OpPassManager &pm,
                          const PipelineOptions &options);
void buildPipeline(mlir::OpPassManager &pm, PipelineKind kind,
                   const PipelineOptions &options);
/// Registers --attn-fused-pipeline and --attn-unfused-pipeline, whose
/// options are validated before any pass is added.
void registerPipelines();

} // namespace attn

#endif // ATTN_COMPILER_PIPELINES_PIPELINES_H
