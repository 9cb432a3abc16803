//===- Compile.cpp - attn.attention -> PTX with a launch manifest ---------===//
#include "compiler/Target/Compile.h"
#include "compiler/Analysis/CostModel.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Attn/Transforms/TileConfig.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace attn {

std::string buildAttentionModule(const AttentionSpec &s) {
  std::string t = llvm::formatv("tensor<{0}x{1}x{2}x{3}x{4}>", s.batch, s.heads,
                                s.seqLen, s.headDim, s.dtype);
  std::string lseType =
      llvm::formatv("tensor<{0}x{1}x{2}xf32>", s.batch, s.heads, s.seqLen);
  std::string results = s.lse ? t + ", " + lseType : t;
  std::string attrs;
  if (s.scale)
    attrs += llvm::formatv(" scale {0:e}", *s.scale).str();
  if (s.causal)
    attrs += " causal";
  return llvm::formatv(
      "func.func @attention(%q: {0}, %k: {0}, %v: {0}) -> ({1}) {{\n"
      "  {2} = attn.attention %q, %k, %v{3} : {0}, {0}, {0} -> {1}\n"
      "  return {4} : {1}\n}\n",
      t, results, s.lse ? "%o:2" : "%o", attrs, s.lse ? "%o#0, %o#1" : "%o");
}

static std::string typeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// `// attn.cost` lines: the cost model's FLOPs, device-memory bytes and
/// roofline time on the h100 model for each kernel in `launches`, with the
/// tile configuration the launches carry. Nothing when the model's kernels
/// do not match the launches.
static void writeCosts(attn::AttentionOp op, PipelineKind kind,
                       ArrayRef<tile::LaunchOp> launches,
                       llvm::raw_ostream &os) {
  if (launches.empty())
    return;
  cost::Problem problem = cost::problemOf(op);
  tile::ConfigAttr config = tile::LaunchOp(launches.front()).getConfigAttr();
  bool fused = kind == PipelineKind::fused;
  cost::PipelineCost estimate = cost::estimate(
      problem, fused ? cost::Pipeline::Fused : cost::Pipeline::Unfused,
      TileConfig{config.getBlockM(), config.getBlockN(), config.getWarps()},
      config.getStages());
  if (estimate.kernels.size() != launches.size())
    return;
  cost::GpuModel gpu = *cost::builtinGpu("h100");
  for (auto [launch, kernel] : llvm::zip(launches, estimate.kernels)) {
    cost::Roofline r =
        cost::roofline(double(kernel.flops), double(kernel.bytes()), gpu);
    os << llvm::formatv("// attn.cost kernel={0} flops={1} bytes={2} "
                        "predicted_ms={3}\n",
                        tile::LaunchOp(launch).getCallee(), kernel.flops,
                        kernel.bytes(), llvm::format("%.6g", r.seconds * 1e3));
  }
}

/// Writes the manifest for the single attention in `op` and the launches
/// of the lowered host function.
static LogicalResult writeManifest(attn::AttentionOp op, PipelineKind kind,
                                   ModuleOp lowered, llvm::raw_ostream &os,
                                   unsigned &numKernels) {
  ArrayRef<int64_t> shape = op.getShape();
  os << "// attn.version 1\n";
  os << llvm::formatv("// attn.problem B={0} H={1} N={2} D={3} dtype={4} "
                      "causal={5} scale={6:e} pipeline={7} lse={8}\n",
                      shape[0], shape[1], shape[2], shape[3],
                      typeName(op.getElementType()), op.getCausal() ? 1 : 0,
                      op.getEffectiveScale(), stringifyPipelineKind(kind),
                      op.getLse() ? 1 : 0);
  static const llvm::StringSet<> userBuffers = {"q", "k", "v", "o", "lse"};
  llvm::StringSet<> declared;
  std::string kernels;
  llvm::raw_string_ostream ks(kernels);
  SmallVector<tile::LaunchOp> launches;
  numKernels = 0;
  WalkResult walk = lowered.walk([&](tile::LaunchOp launch) -> WalkResult {
    tile::ConfigAttr config = launch.getConfigAttr();
    if (!config)
      return launch.emitError() << "launch has no #tile.config; was the "
                                   "module tiled?";
    auto names = launch.getNames().getAsValueRange<StringAttr>();
    SmallVector<StringRef> args(names.begin(), names.end());
    size_t numInputs = launch.getInputs().size();
    for (auto [i, result] : llvm::enumerate(launch.getOutputs())) {
      StringRef name = args[numInputs + i];
      if (userBuffers.contains(name) || !declared.insert(name).second)
        continue;
      auto type = cast<RankedTensorType>(result.getType());
      os << llvm::formatv("// attn.buffer {0} {1} {2}\n", name,
                          typeName(type.getElementType()),
                          type.getNumElements());
    }
    ArrayRef<int64_t> g = config.getGrid();
    ks << llvm::formatv("// attn.kernel {0} grid {1},{2},{3} block {4},1,1 "
                        "smem {5} args {6}\n",
                        launch.getCallee(), g[0], g[1], g[2], config.threads(),
                        config.getSmem(), llvm::join(args, ","));
    launches.push_back(launch);
    ++numKernels;
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  os << kernels;
  writeCosts(op, kind, launches, os);
  return success();
}

/// The dialects the pipelines pass through, their conversions to LLVM
/// (GPU-to-NVVM collects those of every loaded dialect), the NVVM target and
/// the translations to LLVM IR: only what compiling attention needs, which
/// keeps context creation quick and static binaries half the size of
/// registerAllDialects().
static void registerPipelineDialects(DialectRegistry &registry) {
  registry
      .insert<attn::AttnDialect, attn::tile::TileDialect, affine::AffineDialect,
              arith::ArithDialect, cf::ControlFlowDialect, func::FuncDialect,
              gpu::GPUDialect, index::IndexDialect, LLVM::LLVMDialect,
              math::MathDialect, memref::MemRefDialect, NVVM::NVVMDialect,
              nvgpu::NVGPUDialect, scf::SCFDialect, tensor::TensorDialect,
              ub::UBDialect, vector::VectorDialect>();
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  NVVM::registerConvertGpuToNVVMInterface(registry);
  index::registerConvertIndexToLLVMInterface(registry);
  registerConvertMathToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
}

llvm::Expected<CompiledAttention>
compileAttention(llvm::StringRef mlirText, PipelineKind kind,
                 const PipelineOptions &options, const CompileHooks &hooks) {
  if (llvm::Error error = validateOptions(options))
    return std::move(error);
  if (options.stopAfter != Stage::PTX)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "stop-after=" + stringifyEnum(Stage(options.stopAfter)) +
            ": compiling to PTX needs the whole pipeline (stop-after=ptx)");
  DialectRegistry registry;
  registerPipelineDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::string diagnostics;
  llvm::raw_string_ostream diagStream(diagnostics);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context, diagStream);
  auto fail = [&](StringRef what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   what + ":\n" + diagnostics);
  };

  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(mlirText, &context, "attention.mlir");
  if (!module)
    return fail("cannot parse the input module");
  SmallVector<attn::AttentionOp> ops;
  module->walk([&](attn::AttentionOp op) { ops.push_back(op); });
  if (ops.size() != 1)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "the module must hold exactly one attn.attention, found " +
            std::to_string(ops.size()));
  // The problem description outlives the op, which the pipeline replaces.
  OwningOpRef<Operation *> original = ops.front()->clone();
  auto op = cast<attn::AttentionOp>(*original);

  PassManager pm(&context);
  buildPipeline(pm, kind, options);
  if (hooks.configurePassManager)
    hooks.configurePassManager(pm);
  if (failed(pm.run(*module)))
    return fail("the pipeline failed");

  CompiledAttention result;
  llvm::raw_string_ostream os(result.ptx);
  if (failed(writeManifest(op, kind, *module, os, result.numKernels)))
    return fail("cannot describe the launches");
  bool found = false;
  module->walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjects()) {
      os << cast<gpu::ObjectAttr>(a).getObject().getValue();
      found = true;
    }
  });
  if (!found)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the pipeline produced no PTX (did it stop "
                                   "early?)");
  return result;
}

} // namespace attn
