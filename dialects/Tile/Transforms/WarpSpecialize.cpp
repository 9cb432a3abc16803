//===- WarpSpecialize.cpp - a producer warpgroup issues the copies --------===//
//
// Rung 4 -> 4 for warp-specialized kernels (#tile.config with producer
// warps). Everything after the buffers and barriers are set up becomes a
// `tile.warp_specialize`:
//
//   * producer: the TMA copies and the waits for free slots (waits on
//     `release` barriers), inside the loops and branches that hold them and
//     with the index arithmetic they need (with reads of arguments nothing
//     writes, and loops of those: a packed batch's offsets and its
//     sequence search), nothing else;
//   * compute: everything else, the copies and those waits taken out.
//
// The two sides then meet only at barriers: the producer runs ahead until
// every slot is full, the compute warps wait for each tile to land and
// release its slot after the last use (attn-promote-tma placed the waits
// and arrivals). Register budgets: every thread starts with what the launch
// gives (65536 registers over the program's threads), producers shrink to
// the minimum and compute warps take the rest, as setmaxnreg allows.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace attn {
#define GEN_PASS_DEF_ATTNWARPSPECIALIZE
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// setmaxnreg's range and step.
constexpr int64_t kMinRegisters = 24, kMaxRegisters = 256, kRegisterStep = 8;
/// Registers of one SM's register file, shared by a program's threads.
constexpr int64_t kRegisterFile = 65536;

bool isReleaseWait(Operation *op) {
  auto wait = dyn_cast<MBarrierWaitOp>(op);
  if (!wait)
    return false;
  auto alloc = wait.getBarrier().getDefiningOp<AllocMBarrierOp>();
  return alloc && alloc.getKind() == BarrierKind::release;
}

/// Ops of the producer: the copies and the waits for free slots.
bool isProducerOp(Operation *op) {
  return isa<TmaLoadOp, BulkLoadOp>(op) || isReleaseWait(op);
}

bool containsProducerOp(Operation *op) {
  return op
      ->walk([](Operation *inner) {
        return isProducerOp(inner) ? WalkResult::interrupt()
                                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// A load of a kernel argument the kernel never writes (a packed batch's
/// sequence offsets): both sides read the same value, so the producer may
/// load it again rather than wait for the compute warps.
bool isInvariantRead(Operation *op) {
  auto load = dyn_cast<memref::LoadOp>(op);
  if (!load)
    return false;
  auto arg = dyn_cast<BlockArgument>(load.getMemRef());
  if (!arg || !isa<func::FuncOp>(arg.getOwner()->getParentOp()))
    return false;
  return llvm::all_of(arg.getUsers(), [](Operation *user) {
    return isa<memref::LoadOp, memref::DimOp>(user);
  });
}

/// Whether the producer can compute what `op` computes on its own: `op`
/// and every op its regions hold are free of memory effects or invariant
/// reads (a loop searching a packed batch's offsets).
bool isRecomputable(Operation *op) {
  return !op->walk([](Operation *inner) {
              if (isInvariantRead(inner) || isMemoryEffectFree(inner) ||
                  inner->hasTrait<OpTrait::HasRecursiveMemoryEffects>())
                return WalkResult::advance();
              return WalkResult::interrupt();
            }).wasInterrupted();
}

/// Clones the producer's part of a block: its ops, the loops and branches
/// holding them and the effect-free computations their operands need. Such
/// an op is
/// cloned at its own loop depth, before the loop or branch that needs it, so
/// that it dominates every later use.
class ProducerCloner {
public:
  ProducerCloner(Region &source, OpBuilder &b) : source(source), b(b) {}

  LogicalResult cloneBlock(Block &from, Block &to) {
    where[&from] = {&to, nullptr};
    for (Operation &op : from.without_terminator()) {
      if (isProducerOp(&op)) {
        if (failed(cloneWithOperands(&op)))
          return failure();
        continue;
      }
      if (!op.getNumRegions() || !containsProducerOp(&op))
        continue;
      LogicalResult result = failure();
      if (auto loop = dyn_cast<scf::ForOp>(op))
        result = cloneLoop(loop);
      else if (auto branch = dyn_cast<scf::IfOp>(op))
        result = cloneBranch(branch);
      else
        return op.emitOpError() << "holds TMA copies but is neither an "
                                   "scf.for nor an scf.if; "
                                   "attn-warp-specialize cannot give them to "
                                   "the producer";
      if (failed(result))
        return failure();
    }
    where.erase(&from);
    return success();
  }

private:
  /// Puts the builder where the next op of source block `from` goes.
  void setInsertionPoint(Block *from) {
    auto [to, anchor] = where.lookup(from);
    if (anchor)
      b.setInsertionPoint(anchor);
    else if (to->mightHaveTerminator())
      b.setInsertionPoint(to->getTerminator());
    else
      b.setInsertionPointToEnd(to);
  }

  FailureOr<Value> materialize(Value v, Operation *user) {
    if (Value mapped = map.lookupOrNull(v))
      return mapped;
    Operation *def = v.getDefiningOp();
    // Defined before the split (buffers, barriers, arguments): shared.
    if (!source.isAncestor(v.getParentRegion()))
      return v;
    // Free of memory effects, not necessarily speculatable: a division
    // (the group size of grouped-query heads) or memref.dim (run-time
    // sizes) computes in the producer what it computes in the compute warps;
    // so does a read of what no one writes (isInvariantRead), and a loop of
    // such ops (isRecomputable), with what its body reads from above.
    if (!def || !isRecomputable(def) || containsProducerOp(def) ||
        !where.count(def->getBlock()))
      return user->emitOpError()
             << "needs " << v
             << ", which the compute warps produce; a copy may depend only "
                "on indices and on reads of arguments the kernel never "
                "writes";
    llvm::SetVector<Value> needed(def->getOperands().begin(),
                                  def->getOperands().end());
    getUsedValuesDefinedAbove(def->getRegions(), needed);
    for (Value operand : needed) {
      FailureOr<Value> m = materialize(operand, user);
      if (failed(m))
        return failure();
      map.map(operand, *m);
    }
    OpBuilder::InsertionGuard guard(b);
    setInsertionPoint(def->getBlock());
    b.clone(*def, map);
    return map.lookup(v);
  }

  LogicalResult cloneWithOperands(Operation *op) {
    for (Value operand : op->getOperands()) {
      FailureOr<Value> m = materialize(operand, op);
      if (failed(m))
        return failure();
      map.map(operand, *m);
    }
    setInsertionPoint(op->getBlock());
    b.clone(*op, map);
    return success();
  }

  /// Clones `op`'s regions into `copy`'s, with `copy` as the anchor of the
  /// enclosing block meanwhile.
  LogicalResult cloneRegions(Operation *op, Operation *copy) {
    Block *outer = op->getBlock();
    where[outer].second = copy;
    for (auto [from, to] : llvm::zip(op->getRegions(), copy->getRegions()))
      if (!from.empty() && failed(cloneBlock(from.front(), to.front())))
        return failure();
    where[outer].second = nullptr;
    return success();
  }

  LogicalResult cloneLoop(scf::ForOp loop) {
    SmallVector<Value> bounds;
    for (Value v :
         {loop.getLowerBound(), loop.getUpperBound(), loop.getStep()}) {
      FailureOr<Value> m = materialize(v, loop);
      if (failed(m))
        return failure();
      bounds.push_back(*m);
    }
    setInsertionPoint(loop->getBlock());
    auto copy =
        scf::ForOp::create(b, loop.getLoc(), bounds[0], bounds[1], bounds[2]);
    map.map(loop.getInductionVar(), copy.getInductionVar());
    return cloneRegions(loop, copy);
  }

  LogicalResult cloneBranch(scf::IfOp branch) {
    FailureOr<Value> cond = materialize(branch.getCondition(), branch);
    if (failed(cond))
      return failure();
    setInsertionPoint(branch->getBlock());
    auto copy = scf::IfOp::create(b, branch.getLoc(), *cond,
                                  !branch.getElseRegion().empty());
    return cloneRegions(branch, copy);
  }

  Region &source;
  OpBuilder &b;
  IRMapping map;
  /// For each source block being cloned: the block its clone goes to and
  /// the op to insert before (null: at the end).
  DenseMap<Block *, std::pair<Block *, Operation *>> where;
};

/// Registers per thread at launch: the register file over the threads,
/// rounded down to setmaxnreg's step, at most 255 (what ptxas assigns with
/// .maxntid and .minnctapersm 1).
int64_t registersAtLaunch(int64_t threads) {
  int64_t perThread = std::min<int64_t>(255, kRegisterFile / threads);
  return perThread / kRegisterStep * kRegisterStep;
}

struct AttnWarpSpecializePass
    : attn::impl::AttnWarpSpecializeBase<AttnWarpSpecializePass> {
  using AttnWarpSpecializeBase::AttnWarpSpecializeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<SmallVector<func::FuncOp>> kernels = getTileKernels(
        module, "attn-warp-specialize", "rung 4, after attn-promote-tma");
    if (failed(kernels))
      return signalPassFailure();
    for (func::FuncOp fn : *kernels) {
      ConfigAttr config = getKernelConfig(fn);
      if (!config.isWarpSpecialized())
        continue;
      if (failed(specialize(fn, config)))
        return signalPassFailure();
    }
  }

  /// The setmaxnreg counts: the options when given (checked), else the
  /// producers' minimum and what the launch's pool leaves the compute warps.
  FailureOr<std::pair<int64_t, int64_t>> budgets(func::FuncOp fn,
                                                 ConfigAttr config) {
    int64_t producerThreads = 32 * config.getProducerWarps();
    int64_t computeThreads = 32 * config.computeWarps();
    // Each of the programs sharing an SM launches with its part of the
    // register file.
    int64_t pool =
        registersAtLaunch(config.threads() * config.getProgramsPerSm()) *
        config.threads();
    int64_t producer = producerRegisters ? producerRegisters : kMinRegisters;
    int64_t compute = computeRegisters;
    if (!compute) {
      compute = (pool - producer * producerThreads) / computeThreads;
      compute =
          std::min(kMaxRegisters, compute / kRegisterStep * kRegisterStep);
    }
    for (int64_t r : {producer, compute})
      if (r < kMinRegisters || r > kMaxRegisters || r % kRegisterStep != 0)
        return fn.emitError() << "attn-warp-specialize: register counts must "
                                 "be multiples of 8 in [24, 256], got "
                              << r;
    if (producer * producerThreads + compute * computeThreads > pool)
      return fn.emitError()
             << "attn-warp-specialize: " << producerThreads << " producer x "
             << producer << " + " << computeThreads << " compute x " << compute
             << " registers exceed the " << pool << " the launch of "
             << config.threads()
             << " threads holds (setmaxnreg would wait forever)";
    return std::make_pair(producer, compute);
  }

  LogicalResult specialize(func::FuncOp fn, ConfigAttr config) {
    Block &entry = fn.getBody().front();
    if (!fn.getBody().hasOneBlock())
      return fn.emitError() << "attn-warp-specialize: kernel @"
                            << fn.getSymName() << " has more than one block";
    if (!llvm::any_of(entry,
                      [](Operation &op) { return containsProducerOp(&op); }))
      return fn.emitError()
             << "attn-warp-specialize: kernel @" << fn.getSymName()
             << " has no TMA copies to give to producers (run "
                "-attn-promote-tma first)";
    if (llvm::any_of(entry,
                     [](Operation &op) { return isa<WarpSpecializeOp>(op); }))
      return fn.emitError() << "attn-warp-specialize: kernel @"
                            << fn.getSymName() << " is already specialized";
    FailureOr<std::pair<int64_t, int64_t>> registers = budgets(fn, config);
    if (failed(registers))
      return failure();

    // The split starts after the setup: allocations and the barrier that
    // publishes the barriers' initialization.
    Operation *start = &entry.front();
    while (isa<AllocSharedOp, AllocMBarrierOp, BarrierOp>(start))
      start = start->getNextNode();
    Operation *terminator = entry.getTerminator();

    OpBuilder b(start);
    auto ws = WarpSpecializeOp::create(b, fn.getLoc(), registers->first,
                                       registers->second);
    Block *producer = &ws.getProducer().emplaceBlock();
    Block *compute = &ws.getCompute().emplaceBlock();
    // Compute: the original ops.
    compute->getOperations().splice(compute->end(), entry.getOperations(),
                                    start->getIterator(),
                                    terminator->getIterator());
    // Producer: cloned from them.
    ProducerCloner cloner(ws.getCompute(), b);
    if (failed(cloner.cloneBlock(*compute, *producer)))
      return failure();
    SmallVector<Operation *> moved;
    ws.getCompute().walk([&](Operation *op) {
      if (isProducerOp(op))
        moved.push_back(op);
    });
    for (Operation *op : moved)
      op->erase();
    return success();
  }
};

} // namespace
