//===- Pipelines.cpp - the fused and unfused pipelines --------------------===//
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Analysis/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace attn {

/// Rungs 5 -> 6: upstream lowering of the gpu.module to NVVM, then PTX.
static void addLowerToPtx(OpPassManager &pm, const PipelineOptions &opts) {
  if (opts.stopAfter == "gpu")
    return;
  OpPassManager &gpu = pm.nest<gpu::GPUModuleOp>();
  gpu.addPass(memref::createExpandStridedMetadataPass());
  gpu.addPass(createLowerAffinePass());
  gpu.addPass(createSCFToControlFlowPass());
  gpu.addPass(createConvertNVGPUToNVVMPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.useBarePtrCallConv = true;
  gpu.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  gpu.addPass(createCanonicalizerPass());
  gpu.addPass(createCSEPass());
  gpu.addPass(createReconcileUnrealizedCastsPass());
  if (opts.stopAfter == "nvvm")
    return;
  GpuNVVMAttachTargetOptions target;
  target.chip = opts.chip;
  target.features = "+ptx80";
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

static void addMapToGpu(OpPassManager &pm, const PipelineOptions &opts) {
  AttnPromoteSharedOptions promote;
  promote.numStages = opts.numStages;
  pm.addNestedPass<func::FuncOp>(createAttnPromoteShared(promote));
  pm.addPass(createCSEPass());
  if (opts.stopAfter == "tile")
    return;
  pm.addPass(createAttnConvertTileToGPU());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  addLowerToPtx(pm, opts);
}

void buildFusedPipeline(OpPassManager &pm, const PipelineOptions &opts) {
  pm.addPass(createAttnTile({opts.blockM, opts.blockN, opts.numWarps}));
  pm.addNestedPass<func::FuncOp>(
      createAttnFuseOnlineSoftmax({opts.testingSkipRescale}));
  addMapToGpu(pm, opts);
}

void buildUnfusedPipeline(OpPassManager &pm, const PipelineOptions &opts) {
  pm.addPass(createAttnTileUnfused({opts.blockM, opts.blockN, opts.numWarps}));
  addMapToGpu(pm, opts);
}

void registerPipelines() {
  PassPipelineRegistration<PipelineOptions>(
      "attn-fused-pipeline",
      "attn.attention -> one FlashAttention kernel (tile, online softmax, "
      "shared memory, MMA) -> PTX",
      buildFusedPipeline);
  PassPipelineRegistration<PipelineOptions>(
      "attn-unfused-pipeline",
      "attn.attention -> three kernels (S = QK^T, P = softmax(S), O = PV) "
      "with S and P in device memory -> PTX",
      buildUnfusedPipeline);
}

} // namespace attn
