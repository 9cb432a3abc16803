//===- PeelMaskedSteps.cpp - the loop steps that need a mask, on their own
//-===//
//
// Rung 4 -> 4. A loop over K/V tiles masks every step's scores, but only the
// last steps need it: those whose tile crosses the causal diagonal or the
// last key. The lowering of tile.mask tests each tile and branches around the
// element tests, a branch in every step of the hot loop (and one that wgmma
// kernels take while products are in flight). Splitting the loop where the
// masked steps begin leaves a first loop with no mask at all and a second
// whose masks always apply, with no branch (FlashAttention-3 splits its loop
// the same way):
//
//   scf.for %j = %lb to %ub step %s {          scf.for %j = %lb to %split ...
//     %m = tile.mask %x[%r, %j] cols N causal    { ... %x ... }
//     ...                                  ->  scf.for %j = %split to %ub ...
//   }                                            { %m = tile.mask %x[%r, %j]
//                                                    cols N causal
//                                                    unconditional }
//
// A step at key column j with C columns needs no mask when j + C <= N and,
// causal, j + C - 1 <= r: j + C <= limit, limit = min(N, r + 1) (N without
// causal). Those steps are a prefix of the loop, and
//   split = min(ub, lb + s * max(0, floor((limit - C - lb + s) / s))).
// Both loops run the same body on a part of the same steps, carrying the same
// values, so the result is unchanged; slot indices computed from %j stay
// right. When the bounds are constants the split is too: a loop none of whose
// steps needs a mask loses its masks, and one all of whose steps need it
// keeps one loop with unconditional masks.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"

namespace attn {
#define GEN_PASS_DEF_ATTNPEELMASKEDSTEPS
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// The masks of one loop step, all of one kind, or why the loop is left alone.
struct StepMasks {
  SmallVector<MaskOp> masks;
  Value row;        // loop-invariant row offset
  int64_t cols = 0; // columns of each masked tile
  OpFoldResult numCols; // a number, or a loop-invariant index
  bool causal = false;
};

/// 32-bit registers per compute thread that the loop's carried tiles take.
int64_t carriedRegisters(scf::ForOp loop, int64_t threads) {
  int64_t bytes = 0;
  for (Value v : loop.getRegionIterArgs())
    if (auto t = dyn_cast<RankedTensorType>(v.getType());
        t && hasRegisterLayout(t))
      bytes += t.getNumElements() * t.getElementTypeBitWidth() / 8;
  return llvm::divideCeil(bytes, 4 * threads);
}

FailureOr<StepMasks> analyze(scf::ForOp loop, int64_t threads,
                             int64_t maxCarried, std::string &why) {
  StepMasks m;
  for (Operation &op : *loop.getBody()) {
    auto mask = dyn_cast<MaskOp>(op);
    if (!mask)
      continue;
    int64_t cols = mask.getType().getDimSize(1);
    // The steps are over keys; a transposed tile's columns are queries, and
    // the backward's loop over queries meets the diagonal first, not last.
    // Every backward kernel has one: left alone, quietly.
    if (mask.getTransposed())
      return why = "", failure();
    if (mask.getColOffset() != loop.getInductionVar())
      return why = "a mask's column offset is not the loop's induction "
                   "variable",
             failure();
    if (!loop.isDefinedOutsideOfLoop(mask.getRowOffset()))
      return why = "a mask's row offset changes inside the loop", failure();
    if (mask.getUnconditional())
      return why = "its masks are already unconditional", failure();
    // A window masks the first steps too, and most steps of a narrow one:
    // it is left alone, quietly (the pipeline runs this pass on every
    // run-time-size kernel).
    if (mask.hasWindow())
      return why = "", failure();
    if (Value n = mask.getDynamicNumCols(); n && !loop.isDefinedOutsideOfLoop(n))
      return why = "a mask's number of columns changes inside the loop",
             failure();
    if (!m.masks.empty() &&
        (mask.getRowOffset() != m.row || cols != m.cols ||
         mask.getMixedNumCols() != m.numCols ||
         mask.getCausal() != m.causal))
      return why = "its masks differ in rows, columns or causality", failure();
    m.masks.push_back(mask);
    m.row = mask.getRowOffset();
    m.cols = cols;
    m.numCols = mask.getMixedNumCols();
    m.causal = mask.getCausal();
  }
  if (m.masks.empty())
    return why = "", failure();
  // A loop nested in the body would see the masks through another step.
  bool nested = false;
  loop.getBody()->walk([&](scf::ForOp) { nested = true; });
  if (nested)
    return why = "it holds another loop", failure();
  // Two copies of a loop that carries many registers leave ptxas too few
  // (head dim 256: 145 carried of 240, and 156 B spilled once peeled). A
  // choice of cost, not a misfit: no remark.
  if (carriedRegisters(loop, threads) > maxCarried)
    return why = "", failure();
  return m;
}

/// The first key column that needs a mask: limit = min(N, r + 1) with
/// causal; none when N is known only at run time.
std::optional<int64_t> staticLimit(const StepMasks &m, int64_t row) {
  std::optional<int64_t> n = getConstantIntValue(m.numCols);
  if (!n)
    return std::nullopt;
  return m.causal ? std::min(*n, row + 1) : *n;
}

/// split = min(ub, lb + s * max(0, floor((limit - C - lb + s) / s))).
Value emitSplit(OpBuilder &b, Location loc, scf::ForOp loop,
                const StepMasks &m) {
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
  Value limit = isa<Value>(m.numCols)
                    ? cast<Value>(m.numCols)
                    : c(*getConstantIntValue(m.numCols));
  if (m.causal)
    limit = arith::MinSIOp::create(b, loc, limit,
                                   arith::AddIOp::create(b, loc, m.row, c(1)));
  Value lb = loop.getLowerBound(), step = loop.getStep();
  Value t = arith::SubIOp::create(b, loc, limit, c(m.cols));
  t = arith::AddIOp::create(b, loc, arith::SubIOp::create(b, loc, t, lb), step);
  Value k = arith::MaxSIOp::create(
      b, loc, arith::FloorDivSIOp::create(b, loc, t, step), c(0));
  Value split =
      arith::AddIOp::create(b, loc, lb, arith::MulIOp::create(b, loc, k, step));
  return arith::MinSIOp::create(b, loc, split, loop.getUpperBound());
}

void dropMasks(ArrayRef<MaskOp> masks) {
  for (MaskOp mask : masks) {
    mask.replaceAllUsesWith(mask.getInput());
    mask.erase();
  }
}

void markUnconditional(ArrayRef<MaskOp> masks) {
  for (MaskOp mask : masks)
    mask.setUnconditional(true);
}

void peel(scf::ForOp loop, const StepMasks &m) {
  // Constant bounds: the split is known, and may leave one loop.
  std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()),
                         ub = getConstantIntValue(loop.getUpperBound()),
                         step = getConstantIntValue(loop.getStep()),
                         row = getConstantIntValue(m.row);
  std::optional<int64_t> limit = staticLimit(m, row.value_or(0));
  if (lb && ub && step && *step > 0 && (row || !m.causal) && limit) {
    int64_t t = *limit - m.cols - *lb + *step;
    int64_t split =
        *lb + *step * std::max<int64_t>(0, llvm::divideFloorSigned(t, *step));
    if (split >= *ub)
      return dropMasks(m.masks);
    if (split <= *lb)
      return markUnconditional(m.masks);
  }

  OpBuilder b(loop);
  Location loc = loop.getLoc();
  Value split = emitSplit(b, loc, loop, m);
  IRMapping mapping;
  auto unmasked = cast<scf::ForOp>(b.clone(*loop, mapping));
  unmasked.getUpperBoundMutable().assign(split);
  SmallVector<MaskOp> cloned;
  for (MaskOp mask : m.masks)
    cloned.push_back(cast<MaskOp>(mapping.lookup(mask.getOperation())));
  dropMasks(cloned);

  loop.getLowerBoundMutable().assign(split);
  loop.getInitArgsMutable().assign(unmasked.getResults());
  markUnconditional(m.masks);
}

struct AttnPeelMaskedStepsPass
    : attn::impl::AttnPeelMaskedStepsBase<AttnPeelMaskedStepsPass> {
  using AttnPeelMaskedStepsBase::AttnPeelMaskedStepsBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> kernels =
        getTileKernels(module, "attn-peel-masked-steps", "rung 3 or 4");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      int64_t threads = 32 * getKernelConfig(fn).computeWarps();
      SmallVector<scf::ForOp> loops;
      fn.walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (scf::ForOp loop : loops) {
        std::string why;
        FailureOr<StepMasks> masks =
            analyze(loop, threads, maxCarriedRegisters, why);
        if (succeeded(masks) && onlyRunTimeSizes &&
            !isa<Value>(masks->numCols))
          continue;
        if (succeeded(masks))
          peel(loop, *masks);
        else if (!why.empty())
          loop.emitRemark() << "attn-peel-masked-steps: left alone: " << why;
      }
    }
  }
};

} // namespace
