//===- ConvertTileToHost.cpp - tile kernels -> sequential host loops ------===//
//
// The CPU execution path. Each kernel's body is wrapped in one loop per grid
// dimension (a program id is that loop's variable), then the patterns of
// Patterns.h turn every tile into a buffer and every tile op into a loop
// nest, so the IR of rungs 2-4 runs in-process through MLIR's execution
// engine. Rung 5 (warps, MMA) is GPU-only: the path stops before it.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"
#include "compiler/Conversion/TileToHost/Patterns.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"

namespace attn {
#define GEN_PASS_DEF_ATTNCONVERTTILETOHOST
#include "compiler/Conversion/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;

namespace {

/// Why the host patterns cannot run `op`, or an empty string.
std::string unsupportedReason(Operation *op) {
  if (auto constant = dyn_cast<arith::ConstantOp>(op))
    if (isa<RankedTensorType>(constant.getType()) &&
        !isa<SplatElementsAttr>(constant.getValue()))
      return "is a non-splat tile constant";
  if (isa<tile::TileDialect, arith::ArithDialect, math::MathDialect,
          scf::SCFDialect>(op->getDialect()) ||
      isa<func::ReturnOp>(op))
    return "";
  bool tiles = llvm::any_of(op->getOperandTypes(), [](Type t) {
    return isa<RankedTensorType, tile::BufferType>(t);
  });
  if (tiles || op->getNumRegions())
    return "is not supported inside a tile kernel";
  return "";
}

/// Wraps the body of `fn` in one loop per grid dimension; tile.program_id d
/// becomes loop d's induction variable. A grid size known only at run time
/// ('?') becomes an index argument appended to the kernel's, in x, y, z
/// order: the caller passes it after the buffers.
void wrapInGridLoops(func::FuncOp fn, ArrayRef<int64_t> grid) {
  SmallVector<Value> dynamicSizes;
  for (int64_t size : grid)
    if (size == ShapedType::kDynamic) {
      unsigned index = fn.getNumArguments();
      if (failed(fn.insertArgument(index, IndexType::get(fn.getContext()), {},
                                   fn.getLoc())))
        llvm_unreachable("appending an argument to a function cannot fail");
      dynamicSizes.push_back(fn.getArgument(index));
    }
  Block &body = fn.getBody().front();
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  OpBuilder b = OpBuilder::atBlockBegin(&body);
  Location loc = fn.getLoc();
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> ids;
  auto next = dynamicSizes.begin();
  for (int64_t size : grid) {
    Value bound = size == ShapedType::kDynamic
                      ? *next++
                      : arith::ConstantIndexOp::create(b, loc, size);
    auto loop = scf::ForOp::create(b, loc, c0, bound, c1);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    ids.push_back(loop.getInductionVar());
  }
  Operation *innermostEnd = b.getInsertionBlock()->getTerminator();
  for (Operation *op : ops)
    op->moveBefore(innermostEnd);
  fn.walk([&](tile::ProgramIdOp id) {
    id.replaceAllUsesWith(ids[id.getDim()]);
    id.erase();
  });
}

LogicalResult convertKernel(func::FuncOp fn) {
  WalkResult walk = fn.getBody().walk([](Operation *op) {
    std::string why = unsupportedReason(op);
    if (why.empty())
      return WalkResult::advance();
    op->emitOpError() << why;
    return WalkResult::interrupt();
  });
  if (walk.wasInterrupted())
    return failure();

  wrapInGridLoops(fn, tile::getKernelConfig(fn).getGrid());
  tilehost::TileToHostTypeConverter converter;
  tilehost::HostBuffers buffers(fn);
  ConversionTarget target(*fn.getContext());
  target.addLegalDialect<memref::MemRefDialect>();
  target.addIllegalDialect<tile::TileDialect>();
  target.addDynamicallyLegalDialect<arith::ArithDialect, math::MathDialect>(
      [&](Operation *op) { return converter.isLegal(op); });
  scf::populateSCFStructuralTypeConversionTarget(converter, target);
  RewritePatternSet patterns(fn.getContext());
  tilehost::populateTileToHostPatterns(converter, buffers, patterns);
  if (failed(applyPartialConversion(fn, target, std::move(patterns))))
    return failure();
  buffers.freeAll();
  // A host function now: callable through the execution engine.
  fn->removeAttr(tile::TileDialect::getConfigAttrName());
  fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
              UnitAttr::get(fn.getContext()));
  fn.setPublic();
  return success();
}

struct AttnConvertTileToHostPass
    : attn::impl::AttnConvertTileToHostBase<AttnConvertTileToHostPass> {
  void runOnOperation() override {
    FailureOr<SmallVector<func::FuncOp>> kernels =
        tile::getTileKernels(getOperation(), "attn-convert-tile-to-host",
                             "rungs 2-4", /*needBodies=*/true);
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels)
      if (failed(convertKernel(fn)))
        return signalPassFailure();
  }
};

} // namespace
