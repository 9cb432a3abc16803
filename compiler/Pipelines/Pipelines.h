//===- Pipelines.h - the fused and unfused pipelines ------------*- C++ -*-===//
#ifndef ATTN_COMPILER_PIPELINES_H
#define ATTN_COMPILER_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace attn {

struct PipelineOptions : public mlir::PassPipelineOptions<PipelineOptions> {
  Option<int64_t> blockM{*this, "block-m",
                         llvm::cl::desc("Rows per program (0: choose)"),
                         llvm::cl::init(0)};
  Option<int64_t> blockN{*this, "block-n",
                         llvm::cl::desc("Columns per step (0: choose)"),
                         llvm::cl::init(0)};
  Option<int64_t> numWarps{*this, "num-warps",
                           llvm::cl::desc("Warps per program (0: choose)"),
                           llvm::cl::init(0)};
  Option<int64_t> numStages{*this, "num-stages",
                            llvm::cl::desc("Shared-memory buffers per "
                                           "pipelined tile"),
                            llvm::cl::init(2)};
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("Target GPU: sm_80, sm_90, sm_90a"),
                           llvm::cl::init("sm_90")};
  Option<std::string> stopAfter{
      *this, "stop-after",
      llvm::cl::desc("Stop after a stage: tile, gpu, nvvm, or ptx (all)"),
      llvm::cl::init("ptx")};
  Option<bool> testingSkipRescale{
      *this, "testing-skip-rescale",
      llvm::cl::desc("Testing only: break the online-softmax rescale"),
      llvm::cl::init(false)};
};

/// Fills `pm` with attn.attention -> one FlashAttention kernel.
void buildFusedPipeline(mlir::OpPassManager &pm, const PipelineOptions &opts);
/// Fills `pm` with attn.attention -> three kernels with S and P in memory.
void buildUnfusedPipeline(mlir::OpPassManager &pm, const PipelineOptions &opts);
/// Registers --attn-fused-pipeline and --attn-unfused-pipeline.
void registerPipelines();

} // namespace attn

#endif // ATTN_COMPILER_PIPELINES_H
