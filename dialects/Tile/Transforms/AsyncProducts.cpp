//===- AsyncProducts.cpp - wgmma products run beside the step's other work
//-===//
//
// Rung 4 -> 4 for #tile.mma<wgmma> kernels. In a loop whose products are
// all synchronous (each tile.dot waits for its wgmma group where it is
// issued; the backward's five), every product is started as early as its
// operands allow and waited for only where its result is first used:
//
//   * a product moves up past pure ops, global loads, slot waits and views
//     and other products, to just after its operands' definitions (the
//     backward's dPᵀ = V·dOᵀ then starts right after Sᵀ = K·Qᵀ, before P's
//     softmax);
//   * it becomes `tile.dot ... async`; a `tile.dot_wait` before its first
//     user, or before the barrier ahead of a store into a shared buffer it
//     reads, returns it,
//     with `pending` = the products started between the two (wgmma groups
//     complete in order: those may still run), and keeps its A operand in
//     registers alive;
//   * a slot release (`tile.mbarrier_arrive`) moves after the first wait
//     that finishes every product started before it: the producer must not
//     overwrite a tile a running wgmma still reads.
//
// Loops with an asynchronous product already (attn-overlap-softmax's), a
// product in a nested region, or none whose result waits for other work
// (a forward step without attn-overlap-softmax: S is used at once, P·V
// only by the yield) are left alone.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace attn {
#define GEN_PASS_DEF_ATTNASYNCPRODUCTS
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// Whether a product may start before `op`: `op` computes without memory
/// effects, reads global memory, waits for a slot or views one, or is a
/// product.
bool mayStartBefore(Operation *op) {
  return isMemoryEffectFree(op) ||
         isa<LoadOp, MBarrierWaitOp, LocalLoadOp, DotOp>(op);
}

/// The op of `block` that is or holds `op`.
Operation *inBlock(Block *block, Operation *op) {
  return block->findAncestorOpInBlock(*op);
}

/// Moves `dot` up to just after the last op it must follow.
void startEarly(DotOp dot) {
  Block *block = dot->getBlock();
  Operation *after = nullptr;
  for (Operation *op = dot->getPrevNode(); op; op = op->getPrevNode()) {
    bool definesOperand = llvm::any_of(dot->getOperands(), [&](Value v) {
      Operation *def = v.getDefiningOp();
      return def && inBlock(block, def) == op;
    });
    if (definesOperand || !mayStartBefore(op)) {
      after = op;
      break;
    }
  }
  if (after)
    dot->moveAfter(after);
  else
    dot->moveBefore(&block->front());
}

/// Whether `op` writes a shared buffer that `dot` reads a slot of.
bool overwritesOperand(Operation *op, DotOp dot) {
  auto store = dyn_cast<LocalStoreOp>(op);
  if (!store)
    return false;
  return llvm::any_of(dot->getOperands(), [&](Value v) {
    auto view = v.getDefiningOp<LocalLoadOp>();
    return view && view.getBuffer() == store.getBuffer();
  });
}

/// The first op of `block` after `dot` that needs it finished: the one
/// holding the first user of its result, or before a store into a buffer
/// it reads, the barrier the store waits behind (every warpgroup's product
/// reads the whole buffer: each must finish before any passes it), else the
/// store (the terminator when there is none).
Operation *firstUser(Block *block, DotOp dot) {
  Operation *first = nullptr;
  for (Operation *user : dot->getUsers()) {
    Operation *at = inBlock(block, user);
    if (!first || at->isBeforeInBlock(first))
      first = at;
  }
  Operation *barrier = nullptr;
  for (Operation *op = dot->getNextNode(); op && op != first;
       op = op->getNextNode()) {
    if (isa<BarrierOp>(op))
      barrier = op;
    bool writes = false;
    op->walk(
        [&](Operation *inner) { writes |= overwritesOperand(inner, dot); });
    if (writes)
      return barrier ? barrier : op;
  }
  return first ? first : block->getTerminator();
}

/// Whether anything but slot releases and constants runs between `dot` and
/// its first user: work a running product could hide.
bool hasWorkBeforeUse(DotOp dot) {
  Operation *first = firstUser(dot->getBlock(), dot);
  for (Operation *op = dot->getNextNode(); op != first; op = op->getNextNode())
    if (!isa<MBarrierArriveOp>(op) && !op->hasTrait<OpTrait::ConstantLike>())
      return true;
  return false;
}

/// Runs the products of `loop`'s body asynchronously.
void runAsync(scf::ForOp loop) {
  Block *body = loop.getBody();
  SmallVector<DotOp> dots;
  for (Operation &op : *body)
    if (auto dot = dyn_cast<DotOp>(op))
      dots.push_back(dot);
  for (DotOp dot : dots)
    startEarly(dot);
  // The products in issue order.
  dots.clear();
  for (Operation &op : *body)
    if (auto dot = dyn_cast<DotOp>(op)) {
      dot.setAsync(true);
      dots.push_back(dot);
    }
  auto isBefore = [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  };
  // The wait of each product before its first user; which products each
  // wait finishes.
  SmallVector<std::pair<DotWaitOp, SmallVector<DotOp>>> waits;
  for (DotOp dot : dots) {
    Operation *first = firstUser(body, dot);
    SmallVector<Value> keep = {dot.getResult()};
    if (hasRegisterLayout(dot.getLhs().getType()))
      keep.push_back(dot.getLhs());
    int64_t pending = llvm::count_if(dots, [&](DotOp other) {
      return isBefore(dot, other) && isBefore(other, first);
    });
    OpBuilder b(first);
    auto wait =
        DotWaitOp::create(b, dot.getLoc(), keep, b.getI32IntegerAttr(pending));
    dot.getResult().replaceAllUsesExcept(wait.getResult(0), wait);
    // The `pending` products left running are the ones after `dot`.
    SmallVector<DotOp> finished;
    for (DotOp other : dots)
      if (!isBefore(dot, other))
        finished.push_back(other);
    waits.push_back({wait, finished});
  }
  // Releases after the products started before them are done.
  SmallVector<MBarrierArriveOp> releases;
  for (Operation &op : *body)
    if (auto arrive = dyn_cast<MBarrierArriveOp>(op))
      releases.push_back(arrive);
  for (MBarrierArriveOp arrive : releases) {
    SmallVector<DotOp> started;
    for (DotOp dot : dots)
      if (isBefore(dot, arrive))
        started.push_back(dot);
    if (started.empty())
      continue;
    DotWaitOp last;
    for (auto &[wait, finished] : waits) {
      bool all = llvm::all_of(started, [&](DotOp dot) {
        return llvm::is_contained(finished, dot);
      });
      if (all && (!last || isBefore(wait, last)))
        last = wait;
    }
    if (last && isBefore(arrive, last))
      arrive->moveAfter(last);
  }
}

struct AttnAsyncProductsPass
    : attn::impl::AttnAsyncProductsBase<AttnAsyncProductsPass> {
  void runOnOperation() override {
    FailureOr<SmallVector<func::FuncOp>> kernels =
        getTileKernels(getOperation(), "attn-async-products",
                       "rung 4, after attn-assign-layouts");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      if (getKernelConfig(fn).getMma() != MmaFamily::wgmma)
        continue;
      SmallVector<scf::ForOp> loops;
      fn.walk([&](scf::ForOp loop) {
        Block *body = loop.getBody();
        int64_t direct = 0, all = 0;
        bool async = false, gains = false;
        loop.walk([&](DotOp dot) {
          ++all;
          async |= dot.getAsync();
          if (dot->getBlock() == body) {
            ++direct;
            gains |= hasWorkBeforeUse(dot);
          }
        });
        if (direct >= 1 && direct == all && !async && gains)
          loops.push_back(loop);
      });
      for (scf::ForOp loop : loops)
        runAsync(loop);
    }
  }
};

} // namespace
