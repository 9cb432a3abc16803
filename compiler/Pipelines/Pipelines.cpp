//===- Pipelines.cpp - the fused and unfused pipelines --------------------===//
#include "compiler/Pipelines/Pipelines.h"
#include "compiler/Analysis/Passes.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Attn/Transforms/Passes.h"
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
  // NVVM ops without an LLVM intrinsic (wgmma, mbarrier waits) become
  // inline PTX.
  gpu.addPass(createConvertNVVMToLLVMPass());
  gpu.addPass(createAttnFinalizeKernelParams());
  gpu.addPass(createCanonicalizerPass());
  gpu.addPass(createCSEPass());
  gpu.addPass(createReconcileUnrealizedCastsPass());
  if (opts.stopAfter == Stage::NVVM)
    return;
  GpuNVVMAttachTargetOptions target;
  target.chip = chipInfo(opts.chip).name.str();
  // PTX 8.1 for sm_90's vector atomics (red.global.add.v2.f32); older
  // chips keep 8.0, which older drivers read.
  target.features = chipInfo(opts.chip).capability >= 90 ? "+ptx81" : "+ptx80";
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

static void addMapToGpu(OpPassManager &pm, const PipelineOptions &opts) {
  pm.addPass(createAttnPromoteShared());
  if (chipInfo(opts.chip).hasWgmma) {
    pm.addPass(createAttnPromoteTma());
    pm.addPass(createAttnWarpSpecialize());
  }
  pm.addPass(createCSEPass());
  if (opts.stopAfter == Stage::Promoted)
    return;
  pm.addPass(createAttnAssignLayouts());
  pm.addPass(createAttnAllocateShared());
  // One K/V slot: the rotated loop would wait for the slot it reads.
  if (chipInfo(opts.chip).hasWgmma && opts.overlapSoftmax &&
      opts.numStages != 1) {
    pm.addPass(createAttnOverlapSoftmax());
    if (opts.pingpong)
      pm.addPass(createAttnPingPong());
  }
  // The loops attn-overlap-softmax leaves synchronous (the backward's).
  if (chipInfo(opts.chip).hasWgmma && opts.asyncProducts)
    pm.addPass(createAttnAsyncProducts());
  // Loops of run-time sizes always: their mask's per-step branch costs
  // 3-5% (H100); static sizes only when asked.
  AttnPeelMaskedStepsOptions peel;
  peel.onlyRunTimeSizes = !opts.peelMaskedSteps;
  pm.addPass(createAttnPeelMaskedSteps(peel));
  if (opts.stopAfter == Stage::Layouts)
    return;
  pm.addPass(createAttnConvertTileToGPU());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  addLowerToPtx(pm, opts);
}

/// Rung 1: the tiling of every attn.attention, chosen once.
static void addSelectTiling(OpPassManager &pm, PipelineKind kind,
                            const PipelineOptions &opts) {
  AttnSelectTilingOptions select;
  select.pipeline = stringifyPipelineKind(kind).str();
  select.chip = chipInfo(opts.chip).name.str();
  select.blockM = opts.blockM;
  select.blockN = opts.blockN;
  select.numWarps = opts.numWarps;
  select.numStages = opts.numStages;
  select.splitKeys = opts.splitKeys;
  select.mma = stringifyEnum(MmaChoice(opts.mma)).str();
  pm.addPass(createAttnSelectTiling(select));
}

void buildFusedPipeline(OpPassManager &pm, const PipelineOptions &opts) {
  addSelectTiling(pm, PipelineKind::fused, opts);
  if (opts.stopAfter == Stage::Config)
    return;
  pm.addPass(createAttnTile({opts.deterministic, opts.testingSkipDelta}));
  if (opts.stopAfter == Stage::Tiled)
    return;
  pm.addPass(createAttnRecomputeProbabilities());
  pm.addPass(createAttnFuseOnlineSoftmax({opts.testingSkipRescale}));
  pm.addPass(createAttnFoldScoreScale());
  pm.addPass(createAttnFoldProductBias());
  pm.addPass(createCSEPass());
  if (opts.stopAfter == Stage::Online)
    return;
  addMapToGpu(pm, opts);
}

void buildUnfusedPipeline(OpPassManager &pm, const PipelineOptions &opts) {
  addSelectTiling(pm, PipelineKind::unfused, opts);
  if (opts.stopAfter == Stage::Config)
    return;
  pm.addPass(createAttnTileUnfused());
  if (opts.stopAfter == Stage::Tiled || opts.stopAfter == Stage::Online)
    return;
  addMapToGpu(pm, opts);
}

void buildPipeline(OpPassManager &pm, PipelineKind kind,
                   const PipelineOptions &options) {
  if (kind == PipelineKind::fused)
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
                   PipelineKind::fused);
  registerPipeline("attn-unfused-pipeline",
                   "attn.attention -> three kernels (S = QK^T, P = softmax(S), "
                   "O = PV) with S and P in device memory -> PTX",
                   PipelineKind::unfused);
}

} // namespace attn
