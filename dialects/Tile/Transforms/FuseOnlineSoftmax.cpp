//===- AttnFuseOnlineSoftmax.cpp - two softmax passes -> one --------------===//
//
// Rung 2 -> 3. Rewrites
//
//   %m = scf.for ... iter_args(%mi = -inf) {       // pass 1: row maximum
//     %x = <scores>; yield maximumf(%mi, reduce max %x) }
//   %l, %acc = scf.for ... iter_args(%li, %ai) {   // pass 2
//     %x' = <same scores>; %p = exp2(%x' - broadcast %m)
//     yield %li + reduce sum %p, dot(%p, %v, %ai) }
//
// into one loop carrying %m: per step m_new = max(m_old, rowmax(x')),
// alpha = exp2(m_old - m_new), p = exp2(x' - broadcast m_new), and each
// loop-carried sum is scaled by alpha before the new terms are added.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/Support/Debug.h"

namespace attn {
#define GEN_PASS_DEF_ATTNFUSEONLINESOFTMAX
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

#define DEBUG_TYPE "attn-fuse-online-softmax"

using namespace mlir;
using namespace attn;

namespace {

/// Pass 1: a loop with one carried value yielding max(carried, rowmax(x)).
/// Returns x, or null.
Value matchMaxLoop(scf::ForOp loop) {
  if (loop.getNumResults() != 1)
    return nullptr;
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  auto max = yield.getOperand(0).getDefiningOp<arith::MaximumFOp>();
  if (!max)
    return nullptr;
  Value carried = loop.getRegionIterArg(0);
  Value other = max.getLhs() == carried   ? max.getRhs()
                : max.getRhs() == carried ? max.getLhs()
                                          : nullptr;
  auto reduce = other ? other.getDefiningOp<tile::ReduceOp>() : nullptr;
  if (!reduce || reduce.getKind() != tile::ReduceKind::max)
    return nullptr;
  return reduce.getInput();
}

/// True when `a` (in loop `la`) and `b` (in loop `lb`) compute the same value
/// for the same induction variable: same ops on equivalent operands.
bool sameScores(Value a, scf::ForOp la, Value b, scf::ForOp lb) {
  if (a == b)
    return !la->isAncestor(a.getParentBlock()->getParentOp());
  if (a == la.getInductionVar() || b == lb.getInductionVar())
    return a == la.getInductionVar() && b == lb.getInductionVar();
  Operation *oa = a.getDefiningOp(), *ob = b.getDefiningOp();
  if (!oa || !ob || oa->getName() != ob->getName() ||
      oa->getAttrDictionary() != ob->getAttrDictionary() ||
      oa->getResultTypes() != ob->getResultTypes() ||
      oa->getNumOperands() != ob->getNumOperands() ||
      oa->getNumRegions() != 0 ||
      cast<OpResult>(a).getResultNumber() !=
          cast<OpResult>(b).getResultNumber())
    return false;
  for (auto [x, y] : llvm::zip(oa->getOperands(), ob->getOperands()))
    if (!sameScores(x, la, y, lb))
      return false;
  return true;
}

struct FusionPlan {
  scf::ForOp maxLoop, sumLoop;
  /// In the sum loop: the scores and the broadcasts of the old maximum.
  Value scores;
  SmallVector<tile::BroadcastOp> broadcasts;
};

/// Finds the sum loop that pairs with `maxLoop` and checks every use of the
/// maximum; the reason for a refusal goes to `why`.
std::optional<FusionPlan> planFusion(scf::ForOp maxLoop, std::string &why) {
  Value x = matchMaxLoop(maxLoop);
  if (!x)
    return std::nullopt;
  Value m = maxLoop.getResult(0);
  FusionPlan plan{maxLoop, nullptr, nullptr, {}};
  for (Operation *user : m.getUsers()) {
    auto bc = dyn_cast<tile::BroadcastOp>(user);
    auto loop = bc ? dyn_cast<scf::ForOp>(bc->getParentOp()) : nullptr;
    if (!loop || loop->getBlock() != maxLoop->getBlock())
      continue; // Checked below: must come after the fused loop.
    if (plan.sumLoop && loop != plan.sumLoop)
      return why = "the row maximum is broadcast in more than one loop",
             std::nullopt;
    plan.sumLoop = loop;
    plan.broadcasts.push_back(bc);
  }
  if (!plan.sumLoop)
    return why = "no second loop uses the row maximum", std::nullopt;
  scf::ForOp sum = plan.sumLoop;
  if (sum.getLowerBound() != maxLoop.getLowerBound() ||
      sum.getUpperBound() != maxLoop.getUpperBound() ||
      sum.getStep() != maxLoop.getStep())
    return why = "the two loops have different bounds", std::nullopt;
  for (Operation *user : m.getUsers()) {
    if (sum->isAncestor(user))
      continue;
    Operation *top = maxLoop->getBlock()->findAncestorOpInBlock(*user);
    if (!top || !sum->isBeforeInBlock(top))
      return why = "the row maximum is used before the second loop ends",
             std::nullopt;
  }
  // Each broadcast must feed `scores - broadcast(m)` with the pass-1 scores.
  for (tile::BroadcastOp bc : plan.broadcasts) {
    for (Operation *user : bc->getUsers()) {
      auto subf = dyn_cast<arith::SubFOp>(user);
      if (!subf || subf.getRhs() != bc.getResult() ||
          !sameScores(x, maxLoop, subf.getLhs(), sum))
        return why = "the maximum is not subtracted from the same scores",
               std::nullopt;
      if (plan.scores && plan.scores != subf.getLhs())
        return why = "the maximum is subtracted from two different values",
               std::nullopt;
      plan.scores = subf.getLhs();
    }
  }
  if (!plan.scores || plan.scores.getParentBlock() != sum.getBody())
    return why = "the scores are not computed in the second loop", std::nullopt;
  return plan;
}

/// Rescales every loop-carried sum of `loop` (cloned pass 2) by `alpha`.
LogicalResult rescaleCarriedSums(scf::ForOp loop, Operation *alphaDef,
                                 Value alpha, unsigned firstSum,
                                 std::string &why) {
  OpBuilder b(loop.getContext());
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  for (unsigned i = firstSum; i < loop.getNumRegionIterArgs(); ++i) {
    Value carried = loop.getRegionIterArg(i);
    Operation *def = yield.getOperand(i).getDefiningOp();
    bool isSum = false;
    if (auto add = dyn_cast_or_null<arith::AddFOp>(def))
      isSum = add.getLhs() == carried || add.getRhs() == carried;
    else if (auto dot = dyn_cast_or_null<tile::DotOp>(def))
      isSum = dot.getAcc() == carried;
    if (!isSum || !carried.hasOneUse() ||
        (def->getBlock() == alphaDef->getBlock() &&
         def->isBeforeInBlock(alphaDef)))
      return why = "loop-carried value #" + std::to_string(i) +
                   " is not a sum the rescale can be applied to",
             failure();
    b.setInsertionPoint(def);
    Value factor = alpha;
    auto type = cast<RankedTensorType>(carried.getType());
    if (type.getRank() == 2)
      factor = tile::BroadcastOp::create(b, def->getLoc(), type, alpha);
    Value scaled = arith::MulFOp::create(b, def->getLoc(), carried, factor);
    carried.replaceUsesWithIf(
        scaled, [&](OpOperand &use) { return use.getOwner() == def; });
  }
  return success();
}

/// Builds the fused loop in place of the sum loop.
LogicalResult fuse(FusionPlan &plan, bool skipRescale, std::string &why) {
  scf::ForOp maxLoop = plan.maxLoop, sum = plan.sumLoop;
  OpBuilder b(sum);
  Location loc = sum.getLoc();
  SmallVector<Value> inits = {maxLoop.getInitArgs()[0]};
  llvm::append_range(inits, sum.getInitArgs());
  auto fused = scf::ForOp::create(b, loc, sum.getLowerBound(),
                                  sum.getUpperBound(), sum.getStep(), inits);

  IRMapping map;
  map.map(sum.getInductionVar(), fused.getInductionVar());
  for (unsigned i = 0; i < sum.getNumRegionIterArgs(); ++i)
    map.map(sum.getRegionIterArg(i), fused.getRegionIterArg(i + 1));
  b.setInsertionPointToStart(fused.getBody());
  for (Operation &op : sum.getBody()->without_terminator())
    b.clone(op, map);

  // m_new = max(m_old, rowmax(x)); alpha = exp2(m_old - m_new).
  Value scores = map.lookup(plan.scores);
  b.setInsertionPointAfterValue(scores);
  Value mOld = fused.getRegionIterArg(0);
  auto rowType = cast<RankedTensorType>(mOld.getType());
  Value rowMax =
      tile::ReduceOp::create(b, loc, rowType, tile::ReduceKind::max, scores);
  Value mNew = arith::MaximumFOp::create(b, loc, mOld, rowMax);
  Value alpha =
      math::Exp2Op::create(b, loc, arith::SubFOp::create(b, loc, mOld, mNew));
  for (tile::BroadcastOp bc : plan.broadcasts) {
    auto clone =
        cast<tile::BroadcastOp>(map.lookup(bc.getResult()).getDefiningOp());
    clone.getInputMutable().assign(mNew);
    clone->moveAfter(alpha.getDefiningOp());
  }
  auto oldYield = cast<scf::YieldOp>(sum.getBody()->getTerminator());
  SmallVector<Value> yields = {mNew};
  for (Value v : oldYield.getOperands())
    yields.push_back(map.lookupOrDefault(v));
  b.setInsertionPointToEnd(fused.getBody());
  scf::YieldOp::create(b, loc, yields);
  if (!skipRescale &&
      failed(rescaleCarriedSums(fused, alpha.getDefiningOp(), alpha, 1, why))) {
    fused->erase();
    return failure();
  }

  maxLoop.getResult(0).replaceAllUsesWith(fused.getResult(0));
  sum.replaceAllUsesWith(fused.getResults().drop_front());
  sum->erase();
  maxLoop->erase();
  return success();
}

struct AttnFuseOnlineSoftmaxPass
    : attn::impl::AttnFuseOnlineSoftmaxBase<AttnFuseOnlineSoftmaxPass> {
  using AttnFuseOnlineSoftmaxBase::AttnFuseOnlineSoftmaxBase;
  void runOnOperation() override {
    FailureOr<SmallVector<func::FuncOp>> found = tile::getTileKernels(
        getOperation(), "attn-fuse-online-softmax", "rung 2, after attn-tile");
    if (failed(found))
      return signalPassFailure();
    SmallVector<func::FuncOp> kernels = std::move(*found);
    SmallVector<scf::ForOp> loops;
    for (func::FuncOp fn : kernels)
      fn.walk([&](scf::ForOp loop) {
        if (matchMaxLoop(loop))
          loops.push_back(loop);
      });
    for (scf::ForOp loop : loops) {
      std::string why;
      std::optional<FusionPlan> plan = planFusion(loop, why);
      LLVM_DEBUG(llvm::dbgs() << "attn-fuse-online-softmax: max loop at "
                              << loop.getLoc() << (plan ? " fused" : " kept")
                              << (why.empty() ? "" : ": ") << why << "\n");
      if (!plan) {
        if (!why.empty())
          loop.emitRemark() << "online-softmax fusion not applied: " << why;
        continue;
      }
      if (failed(fuse(*plan, skipRescale, why))) {
        plan->sumLoop.emitError() << "online-softmax fusion failed: " << why;
        return signalPassFailure();
      }
    }
  }
};

} // namespace
