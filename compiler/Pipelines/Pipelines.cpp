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
  if (opts.stopAfter == Stage::GPU)
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
  if (opts.stopAfter == Stage::NVVM)
    return;
  GpuNVVMAttachTargetOptions target;
  target.chip = chipInfo(opts.chip).name.str();
  target.features = "+ptx80";
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

static void addMapToGpu(OpPassManager &pm, const PipelineOptions &opts) {
  AttnPromoteSharedOptions promote;
  promote.numStages = opts.effectiveNumStages();
  pm.addNestedPass<func::FuncOp>(createAttnPromoteShared(promote));
  pm.addPass(createCSEPass());
  if (opts.stopAfter == Stage::Promoted)
    return;
  pm.addPass(createAttnConvertTileToGPU());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  addLowerToPtx(pm, opts);
}

void buildFusedPipeline(OpPassManager &pm, const PipelineOptions &opts) {
  pm.addPass(createAttnTile({opts.blockM, opts.blockN, opts.numWarps}));
  if (opts.stopAfter == Stage::Tiled)
    return;
  pm.addNestedPass<func::FuncOp>(
      createAttnFuseOnlineSoftmax({opts.testingSkipRescale}));
  if (opts.stopAfter == Stage::Online)
    return;
  addMapToGpu(pm, opts);
}

void buildUnfusedPipeline(OpPassManager &pm, const PipelineOptions &opts) {
  pm.addPass(createAttnTileUnfused({opts.blockM, opts.blockN, opts.numWarps}));
  if (opts.stopAfter == Stage::Tiled || opts.stopAfter == Stage::Online)
    return;
  addMapToGpu(pm, opts);
}

void buildPipeline(OpPassManager &pm, PipelineKind kind,
                   const PipelineOptions &options) {
  if (kind == PipelineKind::Fused)
    buildFusedPipeline(pm, options);
  else
    buildUnfusedPipeline(pm, options);
}

/// Registers `name`, whose options are parsed and validated (one error line
/// naming the option and the rule) before any pass is added.
static void registerPipeline(StringRef name, StringRef description,
                             PipelineKind kind) {
  registerPassPipeline(
      name, description,
      [kind](OpPassManager &pm, StringRef text,
             function_ref<LogicalResult(const Twine &)> errorHandler) {
        PipelineOptions options;
        if (llvm::Error error = parseOptions(text, options))
          return errorHandler(llvm::toString(std::move(error)));
        buildPipeline(pm, kind, options);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> optionHandler) {
        optionHandler(PipelineOptions());
      });
}

void registerPipelines() {
  registerPipeline("attn-fused-pipeline",
                   "attn.attention -> one FlashAttention kernel (tile, online "
                   "softmax, shared memory, MMA) -> PTX",
                   PipelineKind::Fused);
  registerPipeline("attn-unfused-pipeline",
                   "attn.attention -> three kernels (S = QK^T, P = softmax(S), "
                   "O = PV) with S and P in device memory -> PTX",
                   PipelineKind::Unfused);
}

} // namespace attn
