//===- OverlapSoftmax.cpp - softmax of step n under the product of n-1 ----===//
//
// Rung 4 -> 4 for #tile.mma<wgmma> kernels (FlashAttention-3's intra-
// warpgroup overlap). In an online-softmax loop, step n computes
// S_n = Q·K_nᵀ, the softmax of S_n, and O_n = C_n(O_{n-1}) + P_n·V_n, where
// C_n rescales the accumulator. Deferring each step's P·V product to the next
// step lets it run on the tensor cores while that step's softmax runs on the
// other units:
//
//   prologue (step 0):  S_0 = Q·K_0ᵀ; softmax; Ô = C_0(O_init)
//   step n >= 1:        S_n  = Q·K_nᵀ                       (async)
//                       Ô'   = Ô + P_{n-1}·V_{n-1}          (async)
//                       wait for S_n (Ô' may still run)
//                       softmax of S_n
//                       wait for Ô'; release V_{n-1}'s slot
//                       Ô = C_n(Ô')
//   epilogue:           O = Ô + P_last·V_last
//
// Ô after step n is O_n - P_n·V_n, so the result is unchanged. The loop
// carries P (in registers, as the A operand it already is) and V's slot.
// A loop whose trip count may be zero keeps its result: the rotated loop
// runs only when it has a first step.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace attn {
#define GEN_PASS_DEF_ATTNOVERLAPSOFTMAX
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// What the rotation moves: the accumulating product, its B operand's slot
/// view, the ops computing its accumulator from the carried value, and the
/// releases of B's slot.
struct Deferred {
  DotOp product;
  unsigned carried = 0; // iter_arg / yield index of the accumulator
  DotOp first;          // the step's first product, made async
  LocalLoadOp rhsView;
  SmallVector<Operation *> accOps; // in block order
  SmallVector<MBarrierArriveOp> releases;
  llvm::SmallPtrSet<Operation *, 16> all;
};

/// Finds the product to defer in `loop`, or explains why there is none.
FailureOr<Deferred> analyze(scf::ForOp loop, std::string &why) {
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  Deferred d;
  for (auto [i, v] : llvm::enumerate(yield.getOperands())) {
    auto dot = v.getDefiningOp<DotOp>();
    if (dot && dot->getBlock() == body && dot.getAcc() && v.hasOneUse()) {
      d.product = dot;
      d.carried = i;
    }
  }
  if (!d.product)
    return why = "no product accumulates into a loop-carried value", failure();
  for (Operation &op : *body) {
    if (&op == d.product)
      break;
    if (auto dot = dyn_cast<DotOp>(op)) {
      d.first = dot;
      break;
    }
  }
  if (!d.first)
    return why = "no product comes before the accumulating one", failure();
  if (!hasRegisterLayout(d.product.getLhs().getType()) ||
      d.product.getAsync() || d.first.getAsync())
    return why = "the accumulating product does not read its A operand from "
                 "registers",
           failure();
  d.rhsView = d.product.getRhs().getDefiningOp<LocalLoadOp>();
  if (!d.rhsView || d.rhsView->getBlock() != body || !d.rhsView->hasOneUse())
    return why = "the accumulating product's B operand is not a slot view "
                 "of its own in the loop",
           failure();
  // A second slot keeps the copy of the next B from waiting on the release
  // of the one the rotated product still reads.
  if (d.rhsView.getBuffer().getType().getSlots() < 2)
    return why = "the accumulating product's B buffer has one slot (the "
                 "next copy would wait for the slot the product still reads)",
           failure();
  // The accumulator's computation from the carried value: the ops between
  // the iter_arg and the product's acc operand, used by nothing else.
  BlockArgument arg = loop.getRegionIterArgs()[d.carried];
  llvm::SmallPtrSet<Operation *, 16> chain;
  SmallVector<Value> work = {arg};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (user == d.product || chain.contains(user))
        continue;
      if (user->getBlock() != body || !isPure(user) || user->getNumRegions() ||
          user->hasTrait<OpTrait::IsTerminator>())
        return why = "the carried accumulator feeds something other than "
                     "the product's accumulator",
               failure();
      chain.insert(user);
      llvm::append_range(work, user->getResults());
    }
  }
  for (Operation *op : chain)
    for (Value result : op->getResults())
      for (Operation *user : result.getUsers())
        if (user != d.product && !chain.contains(user))
          return why = "the accumulator's rescaling is used elsewhere",
                 failure();
  if (!d.product.getAcc().getDefiningOp() ||
      !chain.contains(d.product.getAcc().getDefiningOp()))
    return why = "the product does not accumulate into the carried value",
           failure();
  for (Operation &op : *body)
    if (chain.contains(&op))
      d.accOps.push_back(&op);
  // The next step's product reads the previous step's A and slot, carried
  // out of the body.
  Operation *lhsDef = d.product.getLhs().getDefiningOp();
  Operation *slotDef = d.rhsView.getSlot().getDefiningOp();
  if (!lhsDef || lhsDef->getBlock() != body || !slotDef ||
      slotDef->getBlock() != body)
    return why = "the accumulating product's A operand or B slot is not "
                 "computed in the loop",
           failure();
  // Releases of the B slot after the product.
  for (Operation *op = d.product->getNextNode(); op; op = op->getNextNode())
    if (auto arrive = dyn_cast<MBarrierArriveOp>(op))
      if (arrive.getSlot() == d.rhsView.getSlot())
        d.releases.push_back(arrive);
  d.all.insert(d.product);
  d.all.insert(d.rhsView);
  d.all.insert(d.accOps.begin(), d.accOps.end());
  for (MBarrierArriveOp r : d.releases)
    d.all.insert(r);
  return d;
}

class Rotator {
public:
  Rotator(scf::ForOp loop, Deferred &d) : loop(loop), d(d), b(loop) {}

  void run() {
    Location loc = loop.getLoc();
    Value lb = loop.getLowerBound(), ub = loop.getUpperBound();
    Value hasFirst =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lb, ub);
    auto guard = scf::IfOp::create(b, loc, loop.getResultTypes(), hasFirst,
                                   /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guard.elseBlock());
      scf::YieldOp::create(b, loc, loop.getInitArgs());
      b.setInsertionPointToStart(guard.thenBlock());
      scf::YieldOp::create(b, loc, rotated());
    }
    loop->replaceAllUsesWith(guard.getResults());
    loop->erase();
  }

private:
  /// Builds prologue, loop and epilogue at the builder; returns the
  /// loop's results.
  SmallVector<Value> rotated() {
    Location loc = loop.getLoc();
    auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());

    // Prologue: step 0 without the product; the accumulator rescaled.
    IRMapping pro;
    pro.map(loop.getInductionVar(), loop.getLowerBound());
    pro.map(loop.getRegionIterArgs(), loop.getInitArgs());
    for (Operation &op : loop.getBody()->without_terminator())
      if (!d.all.contains(&op) || llvm::is_contained(d.accOps, &op))
        b.clone(op, pro);
    SmallVector<Value> inits = mapped(pro, yield.getOperands());
    inits[d.carried] = pro.lookup(d.product.getAcc());
    inits.push_back(pro.lookup(d.product.getLhs()));
    inits.push_back(pro.lookup(d.rhsView.getSlot()));

    // Steps 1 ...
    Value start =
        arith::AddIOp::create(b, loc, loop.getLowerBound(), loop.getStep());
    auto rotatedLoop = scf::ForOp::create(b, loc, start, loop.getUpperBound(),
                                          loop.getStep(), inits);
    {
      OpBuilder::InsertionGuard g(b);
      Block *body = rotatedLoop.getBody();
      b.setInsertionPointToStart(body);
      ValueRange args = rotatedLoop.getRegionIterArgs();
      unsigned n = loop.getNumRegionIterArgs();
      Value carried = args[d.carried], prevA = args[n], prevSlot = args[n + 1];
      IRMapping m;
      m.map(loop.getInductionVar(), rotatedLoop.getInductionVar());
      m.map(loop.getRegionIterArgs(), args.take_front(n));
      Value inFlight;
      for (Operation &op : loop.getBody()->without_terminator()) {
        if (d.all.contains(&op))
          continue;
        if (&op != d.first.getOperation()) {
          b.clone(op, m);
          continue;
        }
        // S_n and the deferred product start; then wait for S_n only.
        auto first = cast<DotOp>(b.clone(op, m));
        first.setAsync(true);
        Value view = LocalLoadOp::create(
            b, op.getLoc(), d.rhsView.getType(),
            m.lookupOrDefault(d.rhsView.getBuffer()), prevSlot);
        auto product = DotOp::create(
            b, d.product.getLoc(), d.product.getType(), prevA, view, carried,
            /*transpose_lhs=*/false, d.product.getTransposeRhs());
        product.setAsync(true);
        inFlight = product.getResult();
        auto waitFirst =
            DotWaitOp::create(b, op.getLoc(), ValueRange{first.getResult()},
                              b.getI32IntegerAttr(1));
        m.map(d.first.getResult(), waitFirst.getResult(0));
      }
      // Wait for the product (keeping its A operand alive until then),
      // release its slot, rescale.
      auto wait = DotWaitOp::create(b, loc, ValueRange{inFlight, prevA},
                                    b.getI32IntegerAttr(0));
      for (MBarrierArriveOp release : d.releases) {
        IRMapping r;
        r.map(release.getSlot(), prevSlot);
        r.map(release.getBarrier(), m.lookupOrDefault(release.getBarrier()));
        b.clone(*release, r);
      }
      m.map(loop.getRegionIterArgs()[d.carried], wait.getResult(0));
      for (Operation *op : d.accOps)
        b.clone(*op, m);
      SmallVector<Value> next = mapped(m, yield.getOperands());
      next[d.carried] = m.lookup(d.product.getAcc());
      next.push_back(m.lookup(d.product.getLhs()));
      next.push_back(m.lookup(d.rhsView.getSlot()));
      scf::YieldOp::create(b, loc, next);
    }

    // Epilogue: the last step's product.
    unsigned n = loop.getNumRegionIterArgs();
    SmallVector<Value> results(rotatedLoop.getResults().take_front(n));
    Value lastA = rotatedLoop.getResult(n),
          lastSlot = rotatedLoop.getResult(n + 1);
    Value view = LocalLoadOp::create(b, loc, d.rhsView.getType(),
                                     d.rhsView.getBuffer(), lastSlot);
    results[d.carried] =
        DotOp::create(b, d.product.getLoc(), d.product.getType(), lastA, view,
                      results[d.carried], /*transpose_lhs=*/false,
                      d.product.getTransposeRhs());
    for (MBarrierArriveOp release : d.releases) {
      IRMapping r;
      r.map(release.getSlot(), lastSlot);
      b.clone(*release, r);
    }
    return results;
  }

  static SmallVector<Value> mapped(IRMapping &m, ValueRange values) {
    return llvm::map_to_vector(values,
                               [&](Value v) { return m.lookupOrDefault(v); });
  }

  scf::ForOp loop;
  Deferred &d;
  OpBuilder b;
};

struct AttnOverlapSoftmaxPass
    : attn::impl::AttnOverlapSoftmaxBase<AttnOverlapSoftmaxPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> kernels = getTileKernels(
        module, "attn-overlap-softmax", "rung 4, after attn-assign-layouts");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      ConfigAttr config = getKernelConfig(fn);
      if (config.getMma() != MmaFamily::wgmma)
        continue;
      // The online softmax's loop has two products, S = Q·Kᵀ and O += P·V.
      // Other loops are left alone quietly: the backward's have four or five.
      SmallVector<scf::ForOp> loops;
      fn.walk([&](scf::ForOp loop) {
        if (llvm::count_if(loop.getBody()->getOperations(),
                           [](Operation &op) { return isa<DotOp>(op); }) == 2)
          loops.push_back(loop);
      });
      for (scf::ForOp loop : loops) {
        std::string why;
        FailureOr<Deferred> d = analyze(loop, why);
        if (failed(d)) {
          loop.emitRemark() << "attn-overlap-softmax: left alone: " << why;
          continue;
        }
        Rotator(loop, *d).run();
      }
    }
  }
};

} // namespace
