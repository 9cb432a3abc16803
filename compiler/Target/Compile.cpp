//===- Compile.cpp - attn.attention -> PTX with a launch manifest ---------===//
#include "compiler/Target/Compile.h"
#include "compiler/Analysis/CostModel.h"
#include "compiler/Target/HostSizes.h"
#include "dialects/Attn/IR/AttnOps.h"
#include "dialects/Attn/Transforms/TileConfig.h"
#include "dialects/Tile/IR/TileOps.h"
#include "runtime/Manifest.h"

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
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace attn {

std::string buildAttentionModule(const rt::Problem &p) {
  const char *dtype = rt::nameOf(p.dtype);
  auto size = [](int64_t v) {
    return v == rt::kDynamicSize ? std::string("?") : std::to_string(v);
  };
  std::string qType =
      llvm::formatv("tensor<{0}x{1}x{2}x{3}x{4}>", size(p.batch), size(p.heads),
                    size(p.seqLenQ), p.headDim, dtype);
  std::string kvType =
      llvm::formatv("tensor<{0}x{1}x{2}x{3}x{4}>", size(p.batch),
                    size(p.kvHeads), size(p.seqLenK), p.headDim, dtype);
  std::string lseType = llvm::formatv("tensor<{0}x{1}x{2}xf32>", size(p.batch),
                                      size(p.heads), size(p.seqLenQ));
  std::string results = p.lse ? qType + ", " + lseType : qType;
  std::string attrs;
  // Nine significant digits read back as the same f32.
  if (p.scale)
    attrs += llvm::formatv(" scale {0}",
                           llvm::format("%.9e", double(float(*p.scale))))
                 .str();
  if (p.causal)
    attrs += " causal";
  if (p.hasWindow())
    attrs += llvm::formatv(" window [{0}, {1}]", p.windowLeft, p.windowRight);
  if (p.sequences) {
    std::string cuType =
        llvm::formatv("tensor<{0}xi32>", p.sequences == rt::kDynamicSize
                                             ? std::string("?")
                                             : std::to_string(p.sequences + 1));
    return llvm::formatv(
        "func.func @attention(%q: {0}, %k: {1}, %v: {1}, %cu_q: {2}, "
        "%cu_k: {2}) -> ({3}) {{\n"
        "  {4} = attn.attention %q, %k, %v sequences(%cu_q, %cu_k){5} : {0}, "
        "{1}, {1}, {2}, {2} -> {3}\n"
        "  return {6} : {3}\n}\n",
        qType, kvType, cuType, results, p.lse ? "%o:2" : "%o", attrs,
        p.lse ? "%o#0, %o#1" : "%o");
  }
  if (p.direction == rt::Direction::Backward)
    return llvm::formatv(
        "func.func @attention_backward(%do: {0}, %q: {0}, %k: {1}, %v: {1}, "
        "%o: {0}, %lse: {2}) -> ({0}, {1}, {1}) {{\n"
        "  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, "
        "%lse{3} : {0}, {0}, {1}, {1}, {0}, {2} -> {0}, {1}, {1}\n"
        "  return %dq, %dk, %dv : {0}, {1}, {1}\n}\n",
        qType, kvType, lseType, attrs);
  return llvm::formatv(
      "func.func @attention(%q: {0}, %k: {1}, %v: {1}) -> ({2}) {{\n"
      "  {3} = attn.attention %q, %k, %v{4} : {0}, {1}, {1} -> {2}\n"
      "  return {5} : {2}\n}\n",
      qType, kvType, results, p.lse ? "%o:2" : "%o", attrs,
      p.lse ? "%o#0, %o#1" : "%o");
}

std::string buildAttentionModule(const AttentionSpec &s) {
  rt::Problem problem =
      rt::Problem::attention(s.batch, s.heads, s.seqLen, s.headDim,
                             rt::parseDType(s.dtype).value_or(rt::DType::F16));
  if (s.kvHeads)
    problem.kvHeads = s.kvHeads;
  if (s.seqLenK)
    problem.seqLenK = s.seqLenK;
  problem.causal = s.causal;
  problem.windowLeft = s.windowLeft;
  problem.windowRight = s.windowRight;
  if (s.scale)
    problem.scale = *s.scale;
  problem.lse = s.lse || s.backward;
  if (s.backward)
    problem.direction = rt::Direction::Backward;
  if (!s.seqLensQ.empty()) {
    auto sum = [](const std::vector<int64_t> &lengths) {
      int64_t total = 0;
      for (int64_t length : lengths)
        total += length;
      return total;
    };
    problem.batch = 1;
    problem.sequences = int64_t(s.seqLensQ.size());
    problem.seqLenQ = sum(s.seqLensQ);
    problem.seqLenK = s.seqLensK.empty() ? problem.seqLenQ : sum(s.seqLensK);
  }
  if (s.runtimeSizes) {
    problem.batch = problem.heads = problem.kvHeads = problem.seqLenQ =
        problem.seqLenK = rt::kDynamicSize;
    if (problem.sequences)
      problem.sequences = rt::kDynamicSize;
  }
  return buildAttentionModule(problem);
}

/// Fills each kernel's cost: the cost model's FLOPs, device-memory bytes
/// and roofline time on the h100 model (rounded to 6 significant digits),
/// with the tile configuration the launches carry. Nothing when the model's
/// kernels do not match the launches.
static void writeCosts(attn::ProblemOpInterface op, PipelineKind kind,
                       int64_t splitKeys, ArrayRef<tile::LaunchOp> launches,
                       rt::Manifest &manifest) {
  if (launches.empty())
    return;
  cost::Problem problem = cost::problemOf(op);
  if (problem.hasDynamicSizes()) // The model needs the sizes.
    return;
  tile::ConfigAttr config = tile::LaunchOp(launches.front()).getConfigAttr();
  bool fused = kind == PipelineKind::fused;
  cost::PipelineCost estimate = cost::estimate(
      problem, fused ? cost::Pipeline::Fused : cost::Pipeline::Unfused,
      TileConfig{config.getBlockM(), config.getBlockN(), config.getWarps(),
                 splitKeys},
      config.getStages());
  if (estimate.kernels.size() != manifest.kernels.size())
    return;
  for (auto [decl, kernel] : llvm::zip(manifest.kernels, estimate.kernels))
    if (decl.name != kernel.name)
      return;
  cost::GpuModel gpu = *cost::builtinGpu("h100");
  for (auto [decl, kernel] : llvm::zip(manifest.kernels, estimate.kernels)) {
    cost::Roofline r =
        cost::roofline(double(kernel.flops), double(kernel.bytes()), gpu);
    decl.hasCost = true;
    decl.costFlops = double(kernel.flops);
    decl.costBytes = double(kernel.bytes());
    decl.predictedMs =
        std::strtod(llvm::formatv("{0}", llvm::format("%.6g", r.seconds * 1e3))
                        .str()
                        .c_str(),
                    nullptr);
  }
}

/// The manifest element type of `type`, if it has one.
static std::optional<rt::DType> dtypeOf(Type type) {
  if (type.isF16())
    return rt::DType::F16;
  if (type.isBF16())
    return rt::DType::BF16;
  if (type.isF32())
    return rt::DType::F32;
  return std::nullopt;
}

/// Declares the tensor maps `launch` passes (once per name): a rank-3 view
/// of the source buffer as its matrices (the last two dimensions, rows of
/// `cols` elements) stacked along the flattened leading dimensions, with
/// the box and swizzle of the map's type.
static LogicalResult declareTensorMaps(tile::LaunchOp launch,
                                       rt::Manifest &manifest) {
  if (!launch.getTensorMaps())
    return success();
  SmallVector<StringRef> names(launch.getNames().getAsValueRange<StringAttr>());
  SmallVector<Type> buffers(launch.getInputs().getTypes());
  llvm::append_range(buffers, launch.getOutputs().getTypes());
  for (auto [i, arg] : llvm::enumerate(
           launch.getTensorMaps()->getAsRange<tile::TensorMapArgAttr>())) {
    std::string name = names[buffers.size() + i].str();
    if (manifest.find(name))
      continue;
    auto map = cast<tile::TensorMapType>(arg.getType());
    auto source = cast<RankedTensorType>(buffers[arg.getSource()]);
    std::optional<rt::DType> dtype = dtypeOf(map.getElementType());
    ArrayRef<int64_t> shape = source.getShape();
    if (!dtype || shape.size() < 2)
      return launch.emitError() << "tensor map '" << name << "' of " << source
                                << " cannot be described";
    int64_t eltBytes = map.getElementType().getIntOrFloatBitWidth() / 8;
    rt::TensorMapDecl decl;
    decl.name = name;
    decl.tensor = names[arg.getSource()].str();
    decl.dtype = *dtype;
    if (!source.hasStaticShape()) {
      // Run-time sizes and strides: the tensor's own view, taken at launch
      // (its leading dimensions one by one, as the copies index them).
      size_t rank = shape.size();
      decl.dims.assign(rank, rt::kDynamicSize);
      decl.strides.assign(rank - 1, rt::kDynamicSize);
      decl.box.assign(rank, 1);
      decl.box[0] = map.getCols();
      decl.box[1] = map.getRows();
      decl.elementStrides.assign(rank, 1);
    } else {
      int64_t cols = shape.back(), rows = shape[shape.size() - 2];
      int64_t matrices = 1;
      for (int64_t size : shape.drop_back(2))
        matrices *= size;
      decl.dims = {cols, rows, matrices};
      decl.strides = {cols * eltBytes, rows * cols * eltBytes};
      decl.box = {map.getCols(), map.getRows(), 1};
      decl.elementStrides = {1, 1, 1};
    }
    switch (map.getSwizzle()) {
    case 0:
      decl.swizzle = rt::Swizzle::None;
      break;
    case 32:
      decl.swizzle = rt::Swizzle::B32;
      break;
    case 64:
      decl.swizzle = rt::Swizzle::B64;
      break;
    default:
      decl.swizzle = rt::Swizzle::B128;
      break;
    }
    decl.l2Promotion = rt::L2Promotion::B128;
    manifest.tensorMaps.push_back(std::move(decl));
  }
  return success();
}

/// The row length a workspace of run-time sizes is laid out with: its last
/// size rounded up to 16 bytes, so that every row starts 16-byte aligned
/// as the kernels' vector accesses and cp.async chunks need.
static rt::SizeExpr paddedRow(const rt::SizeExpr &last, int64_t eltBytes) {
  int64_t per = std::max<int64_t>(1, 16 / eltBytes);
  if (std::optional<int64_t> n = last.constantValue())
    return rt::SizeExpr::constant(llvm::divideCeil(*n, per) * per);
  if (std::optional<rt::ProblemField> field = last.singleField())
    return rt::SizeExpr::ceilDiv(*field, per) * rt::SizeExpr::constant(per);
  return last; // The runtime's stride check refuses what is misaligned.
}

/// What the manifest knows of each buffer of a launch: its role (or none,
/// for a workspace), sizes and, for a workspace of run-time sizes, the
/// strides it is laid out with.
struct BufferInfo {
  std::string name;
  std::optional<rt::TensorRole> role;
  SmallVector<rt::SizeExpr> sizes;
  SmallVector<rt::SizeExpr> strides;
};

/// Declares the scalar parameters `launch` passes (once per name): sizes
/// and strides of its buffers, as size expressions or tensor strides.
static LogicalResult declareScalars(tile::LaunchOp launch,
                                    ArrayRef<BufferInfo> buffers,
                                    rt::Manifest &manifest) {
  if (!launch.getScalars())
    return success();
  auto names = launch.getNames().getAsValueRange<StringAttr>();
  SmallVector<StringRef> all(names.begin(), names.end());
  size_t first = launch.numBuffers() + launch.numTensorMaps();
  for (auto [i, scalar] : llvm::enumerate(
           launch.getScalars()->getAsRange<tile::ScalarArgAttr>())) {
    std::string name = all[first + i].str();
    if (manifest.find(name))
      continue;
    const BufferInfo &buffer = buffers[scalar.getSource()];
    rt::ScalarDecl decl;
    decl.name = name;
    // Sizes are i32 (the runtime checks that they fit), strides i64.
    decl.type = scalar.getKind() == tile::ScalarKind::size
                    ? rt::ScalarType::I32
                    : rt::ScalarType::I64;
    int64_t dim = scalar.getDim();
    if (scalar.getKind() == tile::ScalarKind::size)
      decl.size = buffer.sizes[dim];
    else if (buffer.role)
      decl.stride = rt::StrideRef{buffer.name, dim};
    else
      decl.size = buffer.strides[dim];
    manifest.scalars.push_back(std::move(decl));
  }
  return success();
}

/// Writes the manifest (runtime/Manifest.h) for the single attention in
/// `op` and the launches of the lowered host function: the problem, its
/// tensors (packed, or of sizes and strides known at launch; the kernels
/// use 16-byte vector accesses of Q, K, V, O and 4-byte ones of lse), the
/// workspaces the launches write, the scalars they pass, and each launch's
/// grid, block, shared memory and arguments.
static LogicalResult writeManifest(attn::ProblemOpInterface op,
                                   PipelineKind kind, int64_t splitKeys,
                                   ModuleOp lowered, llvm::raw_ostream &os,
                                   unsigned &numKernels) {
  rt::Manifest manifest;
  rt::Problem &problem = manifest.problem;
  problem = cost::problemOf(op);
  problem.pipeline = kind == PipelineKind::fused ? rt::PipelineKind::Fused
                                                 : rt::PipelineKind::Unfused;
  bool runTimeSizes = problem.hasDynamicSizes();
  for (rt::TensorRole role : problem.roles()) {
    // 16-byte vector accesses of Q, K, V and O; 4-byte ones of the rest,
    // except the logsumexp the backward reads: 16-byte bulk copies on
    // sm_90a (attn-promote-tma stages it).
    bool backwardLse = role == rt::TensorRole::Lse &&
                       problem.direction == rt::Direction::Backward;
    bool vectors = rt::sizeOf(problem.dtypeOf(role)) < 4 || backwardLse ||
                   (role != rt::TensorRole::Lse &&
                    role != rt::TensorRole::CuQ && role != rt::TensorRole::CuK);
    rt::TensorDecl tensor =
        rt::TensorDecl::packed(problem, role, vectors ? 16 : 4);
    if (runTimeSizes) // Any strides; the last dimension contiguous.
      for (size_t d = 0; d + 1 < tensor.strides.size(); ++d)
        tensor.strides[d] = rt::kDynamicSize;
    manifest.tensors.push_back(std::move(tensor));
  }
  DenseMap<Value, rt::TensorRole> roles = rolesOfInputs(lowered);
  SmallVector<tile::LaunchOp> launches;
  numKernels = 0;
  WalkResult walk = lowered.walk([&](tile::LaunchOp launch) -> WalkResult {
    tile::ConfigAttr config = launch.getConfigAttr();
    if (!config)
      return launch.emitError() << "launch has no #tile.config; was the "
                                   "module tiled?";
    auto names = launch.getNames().getAsValueRange<StringAttr>();
    rt::KernelDecl kernel;
    kernel.name = launch.getCallee().str();
    kernel.args.assign(names.begin(), names.end());
    size_t numInputs = launch.getInputs().size();
    SmallVector<BufferInfo> buffers;
    for (auto [i, value] : llvm::enumerate(launch.getInputs())) {
      BufferInfo info{
          kernel.args[i], rt::parseTensorRole(kernel.args[i]), {}, {}};
      // Sizes as the problem names them: B, ..., or a packed batch's S+1.
      if (info.role)
        for (size_t d = 0; std::optional<rt::SizeExpr> size =
                               rt::SizeExpr::ofDim(*info.role, d);
             ++d)
          info.sizes.push_back(*size);
      buffers.push_back(std::move(info));
    }
    for (auto [i, result] : llvm::enumerate(launch.getOutputs())) {
      const std::string &name = kernel.args[numInputs + i];
      BufferInfo info{name, rt::parseTensorRole(name), {}, {}};
      FailureOr<SmallVector<rt::SizeExpr>> sizes =
          outputSizesOf(launch, i, roles);
      if (failed(sizes))
        return failure();
      info.sizes = *sizes;
      auto type = cast<RankedTensorType>(result.getType());
      std::optional<rt::DType> dtype = dtypeOf(type.getElementType());
      if (!dtype)
        return launch.emitError()
               << "workspace '" << name << "' has element type "
               << type.getElementType()
               << ", which the manifest cannot describe (f16, bf16, f32)";
      // A workspace of run-time sizes: packed, rows padded to 16 bytes.
      SmallVector<rt::SizeExpr> extents = info.sizes;
      if (!type.hasStaticShape())
        extents.back() = paddedRow(extents.back(), int64_t(sizeOf(*dtype)));
      info.strides.assign(extents.size(), rt::SizeExpr());
      for (size_t d = extents.size() - 1; d-- > 0;)
        info.strides[d] = info.strides[d + 1] * extents[d + 1];
      if (!info.role && !manifest.find(name)) {
        rt::SizeExpr elements = info.strides.front() * extents.front();
        manifest.workspaces.push_back({name, *dtype, elements});
      }
      buffers.push_back(std::move(info));
    }
    if (failed(declareTensorMaps(launch, manifest)) ||
        failed(declareScalars(launch, buffers, manifest)))
      return failure();
    FailureOr<std::array<rt::SizeExpr, 3>> grid = gridOf(launch, roles);
    if (failed(grid))
      return failure();
    int64_t *extents[3] = {&kernel.shape.grid.x, &kernel.shape.grid.y,
                           &kernel.shape.grid.z};
    for (int d = 0; d < 3; ++d) {
      if (std::optional<int64_t> n = (*grid)[d].constantValue()) {
        *extents[d] = *n;
      } else {
        *extents[d] = 0;
        kernel.grid[d] = (*grid)[d];
      }
    }
    kernel.shape.block = {config.threads(), 1, 1};
    kernel.shape.sharedBytes = config.getSmem();
    manifest.kernels.push_back(std::move(kernel));
    launches.push_back(launch);
    ++numKernels;
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  writeCosts(op, kind, splitKeys, launches, manifest);
  // What the runtime would refuse never leaves the compiler.
  std::string text = rt::writeManifest(manifest);
  rt::Expected<rt::Manifest> check = rt::parseManifest(text, "manifest");
  if (!check.ok())
    return op->emitError() << "the launches cannot run: "
                           << check.status().message();
  os << text;
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
  // One thread: the caller's crash recovery (attn::runCrashSafely) guards
  // the thread it runs on, and a crash on a pass-manager worker thread would
  // end the process. The modules hold one to three kernels.
  MLIRContext context(registry, MLIRContext::Threading::DISABLED);
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
  SmallVector<attn::ProblemOpInterface> ops;
  module->walk([&](attn::ProblemOpInterface op) { ops.push_back(op); });
  if (ops.size() != 1)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "the module must hold exactly one attn.attention or "
        "attn.attention_backward, found " +
            std::to_string(ops.size()));
  // The problem description outlives the op, which the pipeline replaces.
  OwningOpRef<Operation *> original = ops.front()->clone();
  auto op = cast<attn::ProblemOpInterface>(*original);

  PassManager pm(&context);
  buildPipeline(pm, kind, options);
  if (hooks.configurePassManager)
    hooks.configurePassManager(pm);
  if (failed(pm.run(*module)))
    return fail("the pipeline failed");

  CompiledAttention result;
  llvm::raw_string_ostream os(result.ptx);
  // The split the pipeline chose, for the cost model (attn-select-tiling's
  // choice, made again: the op is gone).
  TilingRequest request{kind,
                        options.blockM,
                        options.blockN,
                        options.numWarps,
                        options.numStages,
                        chipInfo(options.chip).name.str(),
                        MmaChoice(options.mma),
                        options.splitKeys};
  FailureOr<TilingAttr> tiling = selectTiling(op, request);
  if (failed(tiling))
    return fail("cannot describe the launches");
  if (failed(writeManifest(op, kind, tiling->getSplitKeys(), *module, os,
                           result.numKernels)))
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
