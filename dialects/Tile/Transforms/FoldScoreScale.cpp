//===- FoldScoreScale.cpp - scale scores inside the exponent's FMA --------===//
//
// Rung 3 -> 3. Scores are scaled (by scale·log2 e) before their row maximum
// and their exponent: per element one multiply, the max, a subtract. With a
// positive scale the maximum commutes with it, so the maximum can be taken
// of the raw scores and scaled once per row, and the multiply can join the
// subtract in one fused multiply-add:
//
//   %x = tile.mask (%s * c)            %x' = tile.mask %s
//   %r = tile.reduce max %x       ->   %r  = (tile.reduce max %x') * c
//   %t = %x - broadcast(%m)            %t  = fma(%x', c, -broadcast(%m))
//
// (masked scores are -inf either way). The subtract's pair is marked
// `contract` so that LLVM emits one FMA. Scores with no maximum, only
// subtracted from (the backward's recomputed S·c - lse), get the FMA alone.
// A score tile with any other use, or a scale that is not a positive
// constant, is left alone.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include <cmath>

namespace attn {
#define GEN_PASS_DEF_ATTNFOLDSCORESCALE
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// The positive value of a splat f32 constant `v`, if it is one.
std::optional<double> positiveSplat(Value v) {
  auto constant = v.getDefiningOp<arith::ConstantOp>();
  auto splat = constant ? dyn_cast<SplatElementsAttr>(constant.getValue())
                        : SplatElementsAttr();
  if (!splat || !splat.getElementType().isF32())
    return std::nullopt;
  double c = splat.getSplatValue<APFloat>().convertToDouble();
  if (!(c > 0) || std::isinf(c))
    return std::nullopt;
  return c;
}

/// Rewrites one scaling `mul`, if its scores are only reduced to a row
/// maximum and subtracted from, or only subtracted from.
void fold(arith::MulFOp mul) {
  std::optional<double> c = positiveSplat(mul.getRhs());
  if (!c || mul->use_empty())
    return;
  Value scaled = mul.getResult();
  auto mask =
      mul->hasOneUse() ? dyn_cast<MaskOp>(*mul->getUsers().begin()) : MaskOp();
  Value x = mask ? mask.getResult() : scaled;
  SmallVector<ReduceOp> maxima;
  SmallVector<arith::SubFOp> subtractions;
  for (Operation *user : x.getUsers()) {
    auto reduce = dyn_cast<ReduceOp>(user);
    auto sub = dyn_cast<arith::SubFOp>(user);
    if (reduce && reduce.getKind() == ReduceKind::max)
      maxima.push_back(reduce);
    else if (sub && sub.getLhs() == x)
      subtractions.push_back(sub);
    else
      return;
  }
  if (subtractions.empty())
    return;

  OpBuilder b(mul);
  Location loc = mul.getLoc();
  Value raw = mul.getLhs();
  if (mask) {
    b.setInsertionPoint(mask);
    raw = MaskOp::create(b, mask.getLoc(), raw.getType(), raw,
                         mask.getRowOffset(), mask.getColOffset(),
                         mask.getDynamicNumCols(), mask.getNumColsAttr(),
                         mask.getCausalAttr(), mask.getWindowLeftAttr(),
                         mask.getWindowRightAttr(),
                         mask.getUnconditionalAttr(),
                         mask.getTransposedAttr());
  }
  auto contract = arith::FastMathFlagsAttr::get(b.getContext(),
                                                arith::FastMathFlags::contract);
  for (ReduceOp reduce : maxima) {
    b.setInsertionPoint(reduce);
    auto rowType = cast<RankedTensorType>(reduce.getType());
    Value rawMax =
        ReduceOp::create(b, reduce.getLoc(), rowType, ReduceKind::max, raw);
    auto cRow = arith::ConstantOp::create(
        b, loc, rowType,
        DenseElementsAttr::get(rowType, b.getF32FloatAttr(*c).getValue()));
    reduce.replaceAllUsesWith(
        arith::MulFOp::create(b, reduce.getLoc(), rawMax, cRow).getResult());
    reduce.erase();
  }
  for (arith::SubFOp sub : subtractions) {
    b.setInsertionPoint(sub);
    Value product =
        arith::MulFOp::create(b, sub.getLoc(), raw, mul.getRhs(), contract);
    sub.replaceAllUsesWith(
        arith::SubFOp::create(b, sub.getLoc(), product, sub.getRhs(), contract)
            .getResult());
    sub.erase();
  }
  if (mask)
    mask.erase();
  mul.erase();
}

struct AttnFoldScoreScalePass
    : attn::impl::AttnFoldScoreScaleBase<AttnFoldScoreScalePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> kernels =
        getTileKernels(module, "attn-fold-score-scale", "rungs 2-4");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      SmallVector<arith::MulFOp> candidates;
      fn.walk([&](arith::MulFOp mul) {
        if (mul.getLhs().getDefiningOp<DotOp>())
          candidates.push_back(mul);
      });
      for (arith::MulFOp mul : candidates)
        fold(mul);
    }
  }
};

} // namespace
