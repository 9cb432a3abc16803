//===- AttnPromoteShared.cpp - stage dot operands in shared memory --------===//
//
// Rung 3 -> 4. A `tile.load` feeding a `tile.dot` becomes an asynchronous
// copy into a padded workgroup buffer plus a `tile.local_load`. Inside an
// scf.for the copies are software-pipelined `num-stages` deep:
//
//   prologue:  for s < stages-1: if (lb + s·step < ub) copy tile s -> slot s
//                                commit
//   iteration: wait until tile i has landed; barrier
//              if (j + (stages-1)·step < ub) copy tile i+stages-1 -> slot
//              commit
//              local_load slot i % stages
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"

namespace attn {
#define GEN_PASS_DEF_ATTNPROMOTESHARED
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

using namespace mlir;
using namespace attn;

namespace {

/// Row pitch padding: 16 bytes moves consecutive rows to different banks
/// for ldmatrix's eight 16-byte row reads.
constexpr int64_t kPadBytes = 16;

bool feedsDot(tile::LoadOp load) {
  return llvm::any_of(load->getUsers(),
                      [](Operation *u) { return isa<tile::DotOp>(u); });
}

/// `slots` buffers of `tile` in shared memory with padded rows.
tile::BufferType sharedBufferType(RankedTensorType tile, int64_t slots) {
  int64_t pad = kPadBytes * 8 / tile.getElementTypeBitWidth();
  auto encoding =
      tile::SharedEncodingAttr::get(tile.getContext(), pad, /*swizzle=*/0);
  return tile::BufferType::get(tile.getContext(),
                               {slots, tile.getDimSize(0), tile.getDimSize(1)},
                               tile.getElementType(), encoding);
}

Value allocBuffer(func::FuncOp fn, tile::LoadOp load, int64_t slots) {
  OpBuilder b = OpBuilder::atBlockBegin(&fn.getBody().front());
  return tile::AllocSharedOp::create(b, load.getLoc(),
                                     sharedBufferType(load.getType(), slots),
                                     /*offset=*/IntegerAttr());
}

/// Clones the index computation of `v` at the builder, with the loop's
/// induction variable replaced by `iv`. Values from outside the loop stay.
Value remapIndex(OpBuilder &b, Value v, scf::ForOp loop, Value iv,
                 IRMapping &map) {
  if (v == loop.getInductionVar())
    return iv;
  if (Value mapped = map.lookupOrNull(v))
    return mapped;
  Operation *def = v.getDefiningOp();
  if (!def || !loop->isAncestor(def))
    return v;
  for (Value operand : def->getOperands())
    map.map(operand, remapIndex(b, operand, loop, iv, map));
  return b.clone(*def, map)->getResult(cast<OpResult>(v).getResultNumber());
}

/// Starts the copies of `loads` for the tile at induction value `iv` into
/// `slot`, if iv < upper bound; then commits the group.
void issueCopies(OpBuilder &b, Location loc, scf::ForOp loop,
                 ArrayRef<tile::LoadOp> loads, ArrayRef<Value> buffers,
                 Value iv, Value slot) {
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, iv,
                                        loop.getUpperBound());
  auto ifOp = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    IRMapping map;
    for (size_t i = 0; i < loads.size(); ++i) {
      tile::LoadOp load = loads[i];
      Value buffer = buffers[i];
      SmallVector<Value> indices;
      for (Value idx : load.getIndices())
        indices.push_back(remapIndex(b, idx, loop, iv, map));
      tile::AsyncCopyOp::create(b, loc, load.getSource(), indices, buffer,
                                slot);
    }
  }
  tile::AsyncCommitOp::create(b, loc);
}

/// Makes the dot operands `load` provides read `buffer[slot]` instead; the
/// load stays only if something else uses its value in registers.
void replaceWithLocalLoad(OpBuilder &b, tile::LoadOp load, Value buffer,
                          Value slot) {
  auto type = cast<tile::BufferType>(buffer.getType()).getSlotType();
  Value view = tile::LocalLoadOp::create(b, load.getLoc(), type, buffer, slot);
  load.getResult().replaceUsesWithIf(
      view, [](OpOperand &use) { return isa<tile::DotOp>(use.getOwner()); });
  if (load->use_empty())
    load->erase();
}

/// A load outside any loop: copy, wait, barrier, view.
void promoteStandalone(func::FuncOp fn, tile::LoadOp load) {
  Value buffer = allocBuffer(fn, load, 1);
  OpBuilder b(load);
  Location loc = load.getLoc();
  Value slot = arith::ConstantIndexOp::create(b, loc, 0);
  tile::AsyncCopyOp::create(b, loc, load.getSource(), load.getIndices(), buffer,
                            slot);
  tile::AsyncCommitOp::create(b, loc);
  tile::AsyncWaitOp::create(b, loc, 0);
  tile::BarrierOp::create(b, loc);
  replaceWithLocalLoad(b, load, buffer, slot);
}

/// The loads of one loop body, pipelined `stages` deep.
void promoteInLoop(func::FuncOp fn, scf::ForOp loop,
                   ArrayRef<tile::LoadOp> loads, int64_t stages) {
  SmallVector<Value> buffers;
  for (tile::LoadOp load : loads)
    buffers.push_back(allocBuffer(fn, load, stages));
  Location loc = loop.getLoc();
  Value lb = loop.getLowerBound(), step = loop.getStep();

  OpBuilder b(loop);
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  IRMapping none;
  for (int64_t s = 0; s + 1 < stages; ++s) {
    Value iv = arith::AddIOp::create(
        b, loc, lb, arith::MulIOp::create(b, loc, step, cst(s)));
    issueCopies(b, loc, loop, loads, buffers, iv, cst(s));
  }

  b.setInsertionPointToStart(loop.getBody());
  Value j = loop.getInductionVar();
  Value iter = arith::DivUIOp::create(
      b, loc, arith::SubIOp::create(b, loc, j, lb), step);
  Value slot = arith::RemUIOp::create(b, loc, iter, cst(stages));
  if (stages == 1) {
    issueCopies(b, loc, loop, loads, buffers, j, slot);
    tile::AsyncWaitOp::create(b, loc, 0);
    tile::BarrierOp::create(b, loc);
  } else {
    // Tile i was committed stages-1 groups ago at most: wait for it, then
    // (after the barrier, so nobody still reads that slot) start i+stages-1.
    tile::AsyncWaitOp::create(b, loc, stages - 2);
    tile::BarrierOp::create(b, loc);
    Value ahead = arith::AddIOp::create(
        b, loc, j, arith::MulIOp::create(b, loc, step, cst(stages - 1)));
    Value aheadSlot = arith::RemUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, iter, cst(stages - 1)),
        cst(stages));
    issueCopies(b, loc, loop, loads, buffers, ahead, aheadSlot);
  }
  for (size_t i = 0; i < loads.size(); ++i) {
    b.setInsertionPoint(loads[i]);
    replaceWithLocalLoad(b, loads[i], buffers[i], slot);
  }
  if (stages == 1) {
    // Nobody may overwrite the slot while another warp still reads it.
    b.setInsertionPoint(loop.getBody()->getTerminator());
    tile::BarrierOp::create(b, loc);
  }
}

struct AttnPromoteSharedPass
    : attn::impl::AttnPromoteSharedBase<AttnPromoteSharedPass> {
  using AttnPromoteSharedBase::AttnPromoteSharedBase;
  void runOnOperation() override {
    FailureOr<SmallVector<func::FuncOp>> found = tile::getTileKernels(
        getOperation(), "attn-promote-shared", "rungs 2-3, after attn-tile");
    if (failed(found))
      return signalPassFailure();
    SmallVector<func::FuncOp> kernels = std::move(*found);
    // Kernels for wgmma are staged by attn-promote-tma.
    for (func::FuncOp fn : kernels)
      if (tile::getKernelConfig(fn).getMma() == tile::MmaFamily::sync)
        promote(fn, tile::getKernelConfig(fn).getStages());
  }

  void promote(func::FuncOp fn, int64_t stages) {
    // A promoted load's result type changes (it gains the buffer's layout),
    // so every load of a tile that has one already is left alone.
    llvm::MapVector<Operation *, SmallVector<tile::LoadOp>> byParent;
    fn.walk([&](tile::LoadOp load) {
      if (feedsDot(load))
        byParent[load->getParentOp()].push_back(load);
    });
    for (auto &[parent, loads] : byParent) {
      if (auto loop = dyn_cast<scf::ForOp>(parent)) {
        promoteInLoop(fn, loop, loads, stages);
        continue;
      }
      for (tile::LoadOp load : loads)
        promoteStandalone(fn, load);
    }
  }
};

} // namespace
