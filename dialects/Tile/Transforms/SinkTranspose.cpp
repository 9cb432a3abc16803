//===- SinkTranspose.cpp - move tile.transpose into its producer ----------===//
//
// A transposed tile is computed transposed instead: the transpose moves
// through the ops that made it until it reaches tiles that are loaded,
// where it disappears into a product's operand order. The backward's Pᵀ,
// recomputed, becomes exp2(mask(scale·K·Qᵀ) − lse broadcast down the rows):
//
//   transpose(elementwise(x, y))      -> elementwise(transpose(x), ...)
//   transpose(splat constant)         -> the transposed splat
//   transpose(broadcast(v, dim d))    -> broadcast(v, dim 1 - d)
//   transpose(mask(x)[r, c])          -> mask(transpose(x))[c, r], the
//                                        `transposed` flag toggled
//   transpose(dot(a, b))              -> dot(b, a), each operand's
//                                        transpose flag swapped and negated
//                                        ((L·R)ᵀ = Rᵀ·Lᵀ)
//
// Only producers the transpose is the one user of are rewritten (and then
// erased), so no computation is duplicated.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/SinkTranspose.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace attn::tile;

namespace {

RankedTensorType transposedType(Type type) {
  auto t = cast<RankedTensorType>(type);
  return RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)},
                               t.getElementType());
}

Value transposeOf(PatternRewriter &rewriter, Location loc, Value v) {
  return TransposeOp::create(rewriter, loc, transposedType(v.getType()), v);
}

/// The producer of a transpose's input, when the transpose is its only
/// user.
template <typename Op> Op soleProducer(TransposeOp op) {
  Value in = op.getInput();
  return in.hasOneUse() ? in.getDefiningOp<Op>() : Op();
}

struct ThroughElementwise : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Value in = op.getInput();
    Operation *def = in.getDefiningOp();
    if (!def || !in.hasOneUse() || !def->hasTrait<OpTrait::Elementwise>() ||
        def->getNumResults() != 1 || def->getNumRegions())
      return rewriter.notifyMatchFailure(op, "not a sole elementwise producer");
    for (Value operand : def->getOperands()) {
      auto type = dyn_cast<RankedTensorType>(operand.getType());
      if (!type || type.getRank() != 2)
        return rewriter.notifyMatchFailure(op, "an operand is not a tile");
    }
    // One transpose per distinct operand (x·x transposes x once).
    DenseMap<Value, Value> transposed;
    SmallVector<Value> operands;
    for (Value operand : def->getOperands()) {
      Value &t = transposed[operand];
      if (!t)
        t = transposeOf(rewriter, def->getLoc(), operand);
      operands.push_back(t);
    }
    OperationState state(def->getLoc(), def->getName(), operands,
                         {op.getType()}, def->getAttrs());
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    rewriter.eraseOp(def);
    return success();
  }
};

struct ThroughSplat : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto constant = op.getInput().getDefiningOp<arith::ConstantOp>();
    auto splat = constant ? dyn_cast<SplatElementsAttr>(constant.getValue())
                          : SplatElementsAttr();
    if (!splat)
      return rewriter.notifyMatchFailure(op, "not a splat constant");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, op.getType(),
        SplatElementsAttr::get(op.getType(), splat.getSplatValue<Attribute>()));
    if (constant->use_empty())
      rewriter.eraseOp(constant);
    return success();
  }
};

struct ThroughBroadcast : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto broadcast = soleProducer<BroadcastOp>(op);
    if (!broadcast)
      return rewriter.notifyMatchFailure(op, "not a sole broadcast producer");
    rewriter.replaceOpWithNewOp<BroadcastOp>(
        op, op.getType(), broadcast.getInput(), 1 - broadcast.getDim());
    rewriter.eraseOp(broadcast);
    return success();
  }
};

struct ThroughMask : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto mask = soleProducer<MaskOp>(op);
    if (!mask)
      return rewriter.notifyMatchFailure(op, "not a sole mask producer");
    Value input = transposeOf(rewriter, mask.getLoc(), mask.getInput());
    rewriter.replaceOpWithNewOp<MaskOp>(
        op, op.getType(), input, mask.getColOffset(), mask.getRowOffset(),
        mask.getDynamicNumCols(), mask.getNumColsAttr(), mask.getCausal(),
        mask.getWindowLeftAttr(), mask.getWindowRightAttr(),
        mask.getUnconditional(), !mask.getTransposed());
    rewriter.eraseOp(mask);
    return success();
  }
};

struct ThroughDot : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto dot = soleProducer<DotOp>(op);
    if (!dot || dot.getAsync())
      return rewriter.notifyMatchFailure(op, "not a sole synchronous product");
    Value acc;
    if (dot.getAcc())
      acc = transposeOf(rewriter, dot.getLoc(), dot.getAcc());
    rewriter.replaceOpWithNewOp<DotOp>(
        op, op.getType(), dot.getRhs(), dot.getLhs(), acc,
        !dot.getTransposeRhs(), !dot.getTransposeLhs(),
        /*async=*/false);
    rewriter.eraseOp(dot);
    return success();
  }
};

} // namespace

void attn::tile::populateSinkTransposePatterns(RewritePatternSet &patterns) {
  patterns.add<ThroughElementwise, ThroughSplat, ThroughBroadcast, ThroughMask,
               ThroughDot>(patterns.getContext());
}
