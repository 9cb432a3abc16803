//===- ConvertTileToGPU.cpp - tile kernels -> gpu.func --------------------===//
//
// Rung 4 (with layouts) -> 5. Moves every tile kernel into
// `gpu.module @attn_kernels` as a `gpu.func` sized by its #tile.config, then
// converts its body with the pattern sets of Patterns.h and the layout-driven
// type converter. Before converting, every op is checked against what the
// patterns handle, so IR the verifiers accept either lowers or is refused
// with a diagnostic naming the op and the reason.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"
#include "compiler/Conversion/TileToGPU/Patterns.h"
#include "compiler/Conversion/TileToGPU/TypeConverter.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "llvm/Support/ScopedPrinter.h"

namespace attn {
#define GEN_PASS_DEF_ATTNCONVERTTILETOGPU
#include "compiler/Conversion/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

constexpr StringLiteral kKernelModule = "attn_kernels";

/// Why the patterns cannot lower `op`, or an empty string.
std::string unsupportedReason(Operation *op) {
  auto typeOf = [](Value v) { return v.getType(); };
  for (Type type :
       llvm::concat<Type>(llvm::map_range(op->getOperands(), typeOf),
                          llvm::map_range(op->getResults(), typeOf))) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (tensor && !tensor.getEncoding())
      return "has a tile without a layout (run -attn-assign-layouts first)";
  }
  if (auto alloc = dyn_cast<AllocSharedOp>(op)) {
    if (!alloc.getOffset())
      return "has no offset (run -attn-allocate-shared first)";
    int64_t swizzle = alloc.getType().getEncoding().getSwizzle();
    if (swizzle && swizzle != 128)
      return "has a " + std::to_string(swizzle) +
             "-byte swizzle; TMA and wgmma read 128-byte swizzled buffers";
    return "";
  }
  if (auto alloc = dyn_cast<AllocMBarrierOp>(op))
    return alloc.getOffset()
               ? ""
               : "has no offset (run -attn-allocate-shared first)";
  if (isa<TmaLoadOp>(op) && !op->getParentOfType<WarpSpecializeOp>())
    return "is not in the producer region of a tile.warp_specialize (run "
           "-attn-warp-specialize first): one thread of one producer warp "
           "issues each copy";
  if (auto barrier = dyn_cast<BarrierOp>(op)) {
    auto ws = op->getParentOfType<WarpSpecializeOp>();
    std::optional<uint64_t> warps = barrier.getWarps();
    if (!ws)
      return warps ? "synchronizes " + std::to_string(*warps) +
                         " warps outside tile.warp_specialize, where every "
                         "warp takes part"
                   : "";
    if (ws.getProducer().isAncestor(op->getParentRegion()))
      return "is in the producer region of a tile.warp_specialize, whose "
             "warps run apart";
    int64_t compute =
        getKernelConfig(op->getParentOfType<func::FuncOp>()).computeWarps();
    if (!warps || int64_t(*warps) != compute)
      return "inside tile.warp_specialize must synchronize the compute warps "
             "alone (warps = " +
             std::to_string(compute) +
             "): producers and compute warps run apart";
    return "";
  }
  if (auto store = dyn_cast<LocalStoreOp>(op)) {
    if (!isa_and_nonnull<MmaEncodingAttr>(
            store.getValue().getType().getEncoding()))
      return "stores a tile that is not in a #tile.mma layout";
    if (store.getBuffer().getType().getEncoding().getSwizzle() &&
        store.getBuffer().getType().getElementType().getIntOrFloatBitWidth() !=
            16)
      return "stores a tile of " +
             llvm::to_string(store.getBuffer().getType().getElementType()) +
             " into a swizzled buffer; wgmma's operands there are 16-bit";
    return "";
  }
  if (auto dot = dyn_cast<DotOp>(op);
      dot && dot.getTransposeLhs() && !hasSharedLayout(dot.getLhs().getType()))
    return "is a product with a transposed lhs in registers; it is read "
           "from shared memory (run -attn-assign-layouts, which stages it)";
  if (auto add = dyn_cast<AtomicAddOp>(op);
      add && !isa<MmaEncodingAttr>(add.getValue().getType().getEncoding()))
    return "adds a tile that is not in a #tile.mma layout";
  if (auto load = dyn_cast<LoadOp>(op);
      load && load.getType().getRank() == 1 &&
      !isa_and_nonnull<SliceEncodingAttr>(load.getType().getEncoding()))
    return "loads a row vector that is not in a #tile.slice layout";
  if (auto store = dyn_cast<StoreOp>(op)) {
    auto slice = dyn_cast_or_null<SliceEncodingAttr>(
        cast<RankedTensorType>(store.getValue().getType()).getEncoding());
    if (slice && slice.getDim() == 0)
      return "stores a column vector (#tile.slice<dim = 0>); only row "
             "vectors are stored";
  }
  if (auto dot = dyn_cast<DotOp>(op)) {
    auto mma = dyn_cast<MmaEncodingAttr>(dot.getType().getEncoding());
    auto isSwizzled = [](Type type) {
      auto shared = dyn_cast_or_null<SharedEncodingAttr>(
          cast<RankedTensorType>(type).getEncoding());
      return shared && shared.getSwizzle();
    };
    bool swizzled = isSwizzled(dot.getLhs().getType()) ||
                    isSwizzled(dot.getRhs().getType());
    if (mma.getFamily() == MmaFamily::sync && swizzled)
      return "is a #tile.mma<sync> product of a swizzled tile; ldmatrix reads "
             "padded ones";
    if (mma.getFamily() == MmaFamily::wgmma) {
      if (!isSwizzled(dot.getRhs().getType()) ||
          (hasSharedLayout(dot.getLhs().getType()) &&
           !isSwizzled(dot.getLhs().getType())))
        return "is a #tile.mma<wgmma> product whose shared operands are not "
               "128-byte swizzled (run -attn-promote-tma)";
      if (!dot.getLhs().getType().getElementType().isF16() &&
          !dot.getLhs().getType().getElementType().isBF16())
        return "is a #tile.mma<wgmma> product of " +
               llvm::to_string(dot.getLhs().getType().getElementType()) +
               "; the wgmma patterns take f16 and bf16";
      int64_t n = dot.getType().getDimSize(1);
      if (n % 8 != 0 || n > 256)
        return "is a #tile.mma<wgmma> product " + std::to_string(n) +
               " columns wide; one wgmma covers a multiple of 8 up to 256";
    }
    return "";
  }
  if (auto store = dyn_cast<StoreOp>(op)) {
    if (!hasRegisterLayout(store.getValue().getType()) ||
        isa<OperandEncodingAttr>(
            cast<RankedTensorType>(store.getValue().getType()).getEncoding()))
      return "stores a tile that is not in an accumulator or row layout";
    return "";
  }
  if (auto convert = dyn_cast<ConvertLayoutOp>(op)) {
    Attribute from = convert.getInput().getType().getEncoding();
    Attribute to = convert.getType().getEncoding();
    auto operand = dyn_cast<OperandEncodingAttr>(to);
    if (operand && operand.getParent() == from)
      return "";
    if (auto shared = dyn_cast<SharedEncodingAttr>(from))
      if (isa<MmaEncodingAttr>(to) && !shared.getSwizzle())
        return "";
    return "converts between layouts the GPU mapping cannot convert";
  }
  if (isa<arith::ArithDialect, math::MathDialect>(op->getDialect())) {
    bool tiles = llvm::any_of(op->getResultTypes(),
                              [](Type t) { return isa<RankedTensorType>(t); });
    if (!tiles)
      return "";
    if (auto constant = dyn_cast<arith::ConstantOp>(op))
      return isa<SplatElementsAttr>(constant.getValue())
                 ? ""
                 : "is a non-splat tile constant";
    for (Value v : op->getOperands())
      if (!hasRegisterLayout(v.getType()) ||
          isa<OperandEncodingAttr>(
              cast<RankedTensorType>(v.getType()).getEncoding()))
        return "computes on a tile that is not in an accumulator or row "
               "layout";
    return "";
  }
  if (isa<TileDialect, scf::SCFDialect>(op->getDialect()) ||
      isa<func::ReturnOp>(op))
    return "";
  bool tiles = llvm::any_of(op->getOperandTypes(), [](Type t) {
    return isa<RankedTensorType, BufferType>(t);
  });
  if (tiles || op->getNumRegions())
    return "is not supported inside a tile kernel";
  return "";
}

/// Moves kernel `fn` into `gm` as a gpu.func; its body is still tile IR.
/// It keeps its #tile.config while the patterns run. A warp-specialized
/// kernel gets the launch bounds ptxas needs to honour setmaxnreg (.maxntid
/// and .minnctapersm); tensor-map parameters are listed for
/// attn-finalize-kernel-params, which makes them by-value grid constants.
mlir::gpu::GPUFuncOp outline(func::FuncOp fn, mlir::gpu::GPUModuleOp gm) {
  ConfigAttr config = getKernelConfig(fn);
  OpBuilder b = OpBuilder::atBlockEnd(gm.getBody());
  auto gf = mlir::gpu::GPUFuncOp::create(b, fn.getLoc(), fn.getSymName(),
                                         fn.getFunctionType());
  gf->setAttr(mlir::gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  gf->setAttr(TileDialect::getConfigAttrName(), config);
  // GPU-to-NVVM turns the known block size into .maxntid.
  if (config.isWarpSpecialized())
    gf->setAttr("nvvm.minctasm",
                b.getI32IntegerAttr(config.getProgramsPerSm()));
  SmallVector<int32_t> maps;
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes()))
    if (isa<TensorMapType>(type))
      maps.push_back(static_cast<int32_t>(i));
  if (!maps.empty())
    gf->setAttr(TileDialect::getTensorMapParamsAttrName(),
                b.getDenseI32ArrayAttr(maps));
  gf.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({static_cast<int32_t>(config.threads()), 1, 1}));
  if (!config.numDynamicGridSizes()) {
    SmallVector<int32_t> grid32(config.getGrid().begin(),
                                config.getGrid().end());
    gf.setKnownGridSizeAttr(b.getDenseI32ArrayAttr(grid32));
  }
  // gpu.func::create made an entry block; the kernel's replaces it.
  gf.getBody().front().erase();
  gf.getBody().takeBody(fn.getBody());
  for (Block &block : gf.getBody())
    if (auto ret = dyn_cast<func::ReturnOp>(block.getTerminator())) {
      b.setInsertionPoint(ret);
      mlir::gpu::ReturnOp::create(b, ret.getLoc());
      ret.erase();
    }
  fn.erase();
  return gf;
}

/// Whether a kernel parameter of `type` must become a pointer and scalars:
/// a memref whose sizes or strides are known only at run time (the bare
/// pointer convention passes static memrefs only).
bool needsScalars(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref)
    return false;
  if (!memref.hasStaticShape())
    return true;
  auto [strides, offset] = memref.getStridesAndOffset();
  return llvm::any_of(strides, ShapedType::isDynamic);
}

/// Turns every parameter of `gf` whose sizes or strides are known only at
/// run time into a pointer (a static memref<1xT>) and scalars for those
/// sizes (i32) and strides (index), appended after all parameters, rebuilt
/// into
/// the memref at the kernel's entry (memref.reinterpret_cast). Returns
/// what each scalar carries, for the launches.
SmallVector<ScalarArgAttr> expandDynamicParams(mlir::gpu::GPUFuncOp gf) {
  MLIRContext *ctx = gf.getContext();
  SmallVector<ScalarArgAttr> scalars;
  Block &entry = gf.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  Location loc = gf.getLoc();
  Type index = IndexType::get(ctx), i32 = IntegerType::get(ctx, 32);
  unsigned numParams = gf.getNumArguments();
  for (unsigned i = 0; i < numParams; ++i) {
    Type type = gf.getArgument(i).getType();
    if (!needsScalars(type))
      continue;
    auto memref = cast<MemRefType>(type);
    auto [strides, offset] = memref.getStridesAndOffset();
    // Sizes are i32, zero-extended: LLVM then narrows the index arithmetic
    // that depends on them (loop counters, slots, parities) to 32 bits, as
    // it does for constant sizes. Strides stay 64-bit.
    auto scalar = [&](ScalarKind kind, int64_t dim) -> OpFoldResult {
      unsigned at = gf.getNumArguments();
      bool size = kind == ScalarKind::size;
      if (failed(gf.insertArgument(at, size ? i32 : index, {}, loc)))
        llvm_unreachable("appending a parameter cannot fail");
      scalars.push_back(ScalarArgAttr::get(ctx, kind, i, dim));
      if (!size)
        return gf.getArgument(at);
      return arith::IndexCastUIOp::create(b, loc, index, gf.getArgument(at))
          .getResult();
    };
    SmallVector<OpFoldResult> sizes, strideValues;
    for (int64_t d = 0; d < memref.getRank(); ++d)
      sizes.push_back(memref.isDynamicDim(d)
                          ? scalar(ScalarKind::size, d)
                          : OpFoldResult(b.getIndexAttr(memref.getDimSize(d))));
    for (int64_t d = 0; d < memref.getRank(); ++d)
      strideValues.push_back(
          ShapedType::isDynamic(strides[d])
              ? scalar(ScalarKind::stride, d)
              : OpFoldResult(b.getIndexAttr(strides[d])));
    BlockArgument old = gf.getArgument(i);
    auto pointer = MemRefType::get({1}, memref.getElementType());
    if (failed(gf.insertArgument(i, pointer, {}, loc)))
      llvm_unreachable("inserting a parameter cannot fail");
    Value view = memref::ReinterpretCastOp::create(
        b, loc, memref, gf.getArgument(i), OpFoldResult(b.getIndexAttr(0)),
        sizes, strideValues);
    old.replaceAllUsesWith(view);
    if (failed(gf.eraseArgument(i + 1)))
      llvm_unreachable("erasing a replaced parameter cannot fail");
  }
  return scalars;
}

/// Makes every index loop of `fn` count in i32: a tile kernel's loops run
/// over rows and keys, whose counts are sizes below 2^31 (the runtime
/// passes run-time sizes as i32). With 64-bit bounds known only at run
/// time, LLVM keeps a 64-bit counter and the slot and descriptor arithmetic
/// derived from it in 64 bits; counting in i32 and zero-extending the
/// counter lets it narrow them, as it does for constant bounds.
void narrowLoopCounters(mlir::gpu::GPUFuncOp fn) {
  SmallVector<scf::ForOp> loops;
  fn.walk([&](scf::ForOp loop) {
    if (loop.getInductionVar().getType().isIndex())
      loops.push_back(loop);
  });
  for (scf::ForOp loop : loops) {
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    Type i32 = b.getI32Type();
    auto narrow = [&](Value v) -> Value {
      return arith::IndexCastOp::create(b, loc, i32, v);
    };
    auto fresh = scf::ForOp::create(
        b, loc, narrow(loop.getLowerBound()), narrow(loop.getUpperBound()),
        narrow(loop.getStep()), loop.getInitArgs());
    // The new loop takes over the old body.
    Block *body = loop.getBody();
    fresh.getRegion().getBlocks().clear();
    fresh.getRegion().getBlocks().splice(fresh.getRegion().end(),
                                         loop.getRegion().getBlocks());
    Value oldIv = body->getArgument(0);
    BlockArgument newIv = body->insertArgument(1u, i32, loc);
    b.setInsertionPointToStart(body);
    Value wide = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), newIv);
    oldIv.replaceAllUsesWith(wide);
    body->eraseArgument(0);
    loop.replaceAllUsesWith(fresh.getResults());
    loop->erase();
  }
}

/// Names launch parameters: "q_size2", "k_stride0".
std::string scalarName(StringRef buffer, ScalarArgAttr scalar) {
  return (buffer + "_" + stringifyScalarKind(scalar.getKind()) +
          Twine(scalar.getDim()))
      .str();
}

struct AttnConvertTileToGPUPass
    : attn::impl::AttnConvertTileToGPUBase<AttnConvertTileToGPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> found = getTileKernels(
        module, "attn-convert-tile-to-gpu", "rung 4", /*needBodies=*/true);
    if (failed(found))
      return signalPassFailure();
    SmallVector<func::FuncOp> kernels = std::move(*found);
    for (func::FuncOp fn : kernels) {
      WalkResult walk = fn.getBody().walk([](Operation *op) {
        std::string why = unsupportedReason(op);
        if (why.empty())
          return WalkResult::advance();
        op->emitOpError() << why;
        return WalkResult::interrupt();
      });
      if (walk.wasInterrupted())
        return signalPassFailure();
    }

    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto gm = mlir::gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModule);
    module->setAttr(mlir::gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    for (func::FuncOp fn : kernels) {
      mlir::gpu::GPUFuncOp gf = outline(fn, gm);
      SmallVector<ScalarArgAttr> scalars = expandDynamicParams(gf);
      if (scalars.empty())
        continue;
      // Every launch of the kernel passes them, after its tensor maps.
      module.walk([&](LaunchOp launch) {
        if (launch.getCallee() != gf.getName())
          return;
        SmallVector<Attribute> names(launch.getNames().getValue());
        for (ScalarArgAttr scalar : scalars)
          names.push_back(StringAttr::get(
              &getContext(),
              scalarName(cast<StringAttr>(names[scalar.getSource()]).getValue(),
                         scalar)));
        launch.setNamesAttr(ArrayAttr::get(&getContext(), names));
        launch.setScalarsAttr(ArrayAttr::get(
            &getContext(),
            SmallVector<Attribute>(scalars.begin(), scalars.end())));
      });
    }

    tilegpu::TileToGPUTypeConverter converter;
    ConversionTarget target(getContext());
    target.addLegalDialect<mlir::gpu::GPUDialect, nvgpu::NVGPUDialect,
                           NVVM::NVVMDialect, LLVM::LLVMDialect,
                           vector::VectorDialect, memref::MemRefDialect>();
    target.addIllegalDialect<TileDialect>();
    target.addDynamicallyLegalDialect<arith::ArithDialect, math::MathDialect>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.addDynamicallyLegalOp<mlir::gpu::GPUFuncOp>(
        [&](mlir::gpu::GPUFuncOp fn) {
          return converter.isSignatureLegal(fn.getFunctionType());
        });
    RewritePatternSet patterns(&getContext());
    populateFunctionOpInterfaceTypeConversionPattern<mlir::gpu::GPUFuncOp>(
        patterns, converter);
    tilegpu::populateTileMemoryToGPUPatterns(converter, patterns);
    tilegpu::populateTileArithToGPUPatterns(converter, patterns);
    tilegpu::populateTileControlFlowToGPUPatterns(converter, patterns, target);
    tilegpu::populateMmaSyncDotPatterns(converter, patterns);
    tilegpu::populateTmaPatterns(converter, patterns);
    tilegpu::populateWgmmaDotPatterns(converter, patterns);
    if (failed(applyPartialConversion(gm, target, std::move(patterns))))
      return signalPassFailure();
    for (auto fn : gm.getOps<mlir::gpu::GPUFuncOp>()) {
      fn->removeAttr(TileDialect::getConfigAttrName());
      narrowLoopCounters(fn);
    }
  }
};

} // namespace
