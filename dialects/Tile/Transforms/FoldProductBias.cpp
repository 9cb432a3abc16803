//===- FoldProductBias.cpp - start a product at what it would lose --------===//
//
// Rung 3 -> 3. The fused backward subtracts a vector from a product as soon
// as the product is done: dS = P ∘ (dPᵀ - broadcast(δ)). That costs a
// subtract per element, and the vector's registers (32 a thread for a wgmma
// tile of 128 columns) stay live from its load to the subtract, across the
// step's busiest point. Starting the product's accumulator at the negated
// vector gives the same sum with neither:
//
//   %d = tile.dot %a, %b                 %n = arith.negf %v
//   %b = tile.broadcast %v         ->    %z = tile.broadcast %n
//   %t = arith.subf %d, %b               %t = tile.dot %a, %b, %z
//
// Only a product with no accumulator of its own whose one use is the
// subtraction, of a broadcast vector defined before the product.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/IR/Dominance.h"

namespace attn {
#define GEN_PASS_DEF_ATTNFOLDPRODUCTBIAS
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// The subtraction of a broadcast vector from `dot`, if that is `dot`'s
/// only use and the vector is available where `dot` starts.
arith::SubFOp foldableSubtraction(DotOp dot, DominanceInfo &dominance) {
  if (dot.getAcc() || dot.getAsync() || !dot->hasOneUse())
    return {};
  auto sub = dyn_cast<arith::SubFOp>(*dot->getUsers().begin());
  if (!sub || sub.getLhs() != dot.getResult())
    return {};
  auto broadcast = sub.getRhs().getDefiningOp<BroadcastOp>();
  if (!broadcast || !dominance.properlyDominates(broadcast.getInput(), dot))
    return {};
  return sub;
}

void fold(DotOp dot, arith::SubFOp sub) {
  auto broadcast = sub.getRhs().getDefiningOp<BroadcastOp>();
  OpBuilder b(dot);
  Location loc = dot.getLoc();
  Value negated = arith::NegFOp::create(b, loc, broadcast.getInput());
  Value acc = BroadcastOp::create(b, loc, dot.getType(), negated,
                                  broadcast.getDimAttr());
  auto biased = DotOp::create(b, loc, dot.getType(), dot.getLhs(), dot.getRhs(),
                              acc, dot.getTransposeLhsAttr(),
                              dot.getTransposeRhsAttr(), dot.getAsyncAttr());
  sub.replaceAllUsesWith(biased.getResult());
  sub.erase();
  dot.erase();
  if (broadcast->use_empty())
    broadcast.erase();
}

struct AttnFoldProductBiasPass
    : attn::impl::AttnFoldProductBiasBase<AttnFoldProductBiasPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> kernels =
        getTileKernels(module, "attn-fold-product-bias", "rungs 2-4");
    if (failed(kernels))
      return signalPassFailure();
    DominanceInfo &dominance = getAnalysis<DominanceInfo>();
    for (func::FuncOp fn : *kernels) {
      SmallVector<std::pair<DotOp, arith::SubFOp>> folds;
      fn.walk([&](DotOp dot) {
        if (arith::SubFOp sub = foldableSubtraction(dot, dominance))
          folds.push_back({dot, sub});
      });
      for (auto [dot, sub] : folds)
        fold(dot, sub);
    }
  }
};

} // namespace
