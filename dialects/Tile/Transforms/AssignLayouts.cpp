//===- AssignLayouts.cpp - give every tile a layout -----------------------===//
//
// Rung 4 -> 4 with layouts. One MMA family per kernel, as its #tile.config
// says (mma.sync, or wgmma over the compute warpgroups): every 2-D tile
// in registers is an accumulator-layout tile (#tile.mma), every 1-D one its
// row slice; tiles viewed in shared memory keep #tile.shared. Then every use
// that needs another layout gets an explicit tile.convert_layout:
//   * the A operand of a product held in registers: #mma -> #operand<a>;
//   * a shared-memory tile used by anything but a product: #shared -> #mma;
//   * the lhs of a product with transpose_lhs, or its rhs, held in
//     registers: stored into a shared buffer of its own (tile.local_store
//     between barriers), read from there.
// Vectors are row slices, except those broadcast down the rows (and what
// they are computed from): column slices.
//
//===----------------------------------------------------------------------===//
#include "dialects/Tile/Transforms/Passes.h"

#include "mlir/IR/Verifier.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

namespace attn {
#define GEN_PASS_DEF_ATTNASSIGNLAYOUTS
#include "dialects/Tile/Transforms/Passes.h.inc"
} // namespace attn

#define DEBUG_TYPE "attn-assign-layouts"

using namespace mlir;
using namespace attn;
using namespace attn::tile;

namespace {

/// The layout every tile of rank 1 or 2 in registers gets.
RankedTensorType registerType(RankedTensorType type, MmaEncodingAttr mma) {
  Attribute encoding = mma;
  if (type.getRank() == 1)
    encoding = SliceEncodingAttr::get(type.getContext(), 1, mma);
  return RankedTensorType::get(type.getShape(), type.getElementType(),
                               encoding);
}

/// Retypes every tensor result and block argument to its register layout;
/// only slot views (tile.local_load of a tile, not of a vector) stay in
/// shared memory.
void retype(func::FuncOp fn, MmaEncodingAttr mma) {
  auto update = [&](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || hasRegisterLayout(type) ||
        (v.getDefiningOp<LocalLoadOp>() && type.getRank() == 2))
      return;
    v.setType(registerType(
        RankedTensorType::get(type.getShape(), type.getElementType()), mma));
  };
  fn.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          update(arg);
    for (Value result : op->getResults())
      update(result);
    // A constant's value carries its type.
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      auto type = dyn_cast<RankedTensorType>(constant.getType());
      if (dense && type && dense.getType() != type)
        constant.setValueAttr(dense.reshape(type));
    }
  });
}

/// Vectors broadcast down the rows (`tile.broadcast ... dim 0`) hold one
/// value per column: they, and the loads (of memory or of a staged slot),
/// constants and elementwise ops they are computed by, become column
/// slices. A constant also used per row is copied for its column uses; any
/// other vector needed both ways is refused.
LogicalResult assignColumnSlices(func::FuncOp fn, MmaEncodingAttr mma) {
  auto isVector = [](Value v) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    return type && type.getRank() == 1;
  };
  // The values broadcast down the rows and everything they are computed
  // from.
  auto column = SliceEncodingAttr::get(fn.getContext(), 0, mma);
  llvm::SetVector<Value> closure;
  SmallVector<Value> work;
  fn.walk([&](BroadcastOp op) {
    if (op.getDim() == 0)
      work.push_back(op.getInput());
  });
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!closure.insert(v))
      continue;
    Operation *def = v.getDefiningOp();
    if (!def)
      return emitError(v.getLoc())
             << "attn-assign-layouts: a vector broadcast down the rows is a "
                "block argument (carried by a loop); only loads, constants "
                "and elementwise ops can give one value per column";
    if (isa<arith::ConstantOp, LoadOp, LocalLoadOp>(def))
      continue;
    if (!def->hasTrait<OpTrait::Elementwise>())
      return def->emitOpError()
             << "computes a vector broadcast down the rows; only loads, "
                "constants and elementwise ops can give one value per column";
    for (Value operand : def->getOperands())
      if (isVector(operand))
        work.push_back(operand);
  }
  auto isColumnUse = [&](OpOperand &use) {
    auto broadcast = dyn_cast<BroadcastOp>(use.getOwner());
    if (broadcast)
      return broadcast.getDim() == 0;
    return llvm::any_of(use.getOwner()->getResults(),
                        [&](Value r) { return closure.contains(r); });
  };
  SmallVector<Value> columns;
  for (Value v : closure) {
    OpOperand *rowUse = nullptr;
    for (OpOperand &use : v.getUses())
      if (!isColumnUse(use))
        rowUse = &use;
    if (!rowUse) {
      columns.push_back(v);
      continue;
    }
    auto constant = v.getDefiningOp<arith::ConstantOp>();
    if (!constant)
      return rowUse->getOwner()->emitOpError()
             << "uses a vector that is also broadcast down the rows (one "
                "value per column); attn-assign-layouts gives a vector one "
                "layout, per row or per column";
    OpBuilder b(constant);
    Value copy = b.clone(*constant)->getResult(0);
    v.replaceUsesWithIf(copy, [&](OpOperand &use) { return isColumnUse(use); });
    columns.push_back(copy);
  }
  for (Value v : columns) {
    auto type = cast<RankedTensorType>(v.getType());
    auto columnType =
        RankedTensorType::get(type.getShape(), type.getElementType(), column);
    v.setType(columnType);
    if (auto constant = v.getDefiningOp<arith::ConstantOp>())
      if (auto dense = dyn_cast<DenseElementsAttr>(constant.getValue()))
        constant.setValueAttr(dense.reshape(columnType));
  }
  return success();
}

/// Every register tile's shape fits its layout (rows in whole atoms over
/// the warps, columns in 8-column slices): a diagnostic at the first value
/// whose shape does not.
LogicalResult checkRegisterShapes(func::FuncOp fn) {
  auto check = [](Value v) -> LogicalResult {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    auto encoding = type ? dyn_cast_or_null<VerifiableTensorEncoding>(
                               type.getEncoding())
                         : VerifiableTensorEncoding();
    if (!encoding || !hasRegisterLayout(type))
      return success();
    return encoding.verifyEncoding(type.getShape(), type.getElementType(), [&] {
      InFlightDiagnostic diag = emitError(v.getLoc())
                                << "attn-assign-layouts: a tile of shape [";
      llvm::interleave(type.getShape(), diag, "x");
      return std::move(diag << "] has no register layout on this kernel's "
                               "warps: ");
    });
  };
  WalkResult walk = fn.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          if (failed(check(arg)))
            return WalkResult::interrupt();
    for (Value result : op->getResults())
      if (failed(check(result)))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

Value convert(OpBuilder &b, Location loc, Value v, RankedTensorType to) {
  if (v.getType() == to)
    return v;
  return ConvertLayoutOp::create(b, loc, to, v);
}

/// Stages the register tile `value` in a shared buffer of its own (one
/// slot) just before `user`, between barriers (the slot's previous readers
/// are done; the writes are visible), and returns the slot's view. The
/// buffer is what the product reads: rows padded by 16 bytes for ldmatrix
/// (mma.sync), 128-byte swizzled for a wgmma descriptor.
FailureOr<Value> stageInShared(func::FuncOp fn, Operation *user, Value value,
                               MmaEncodingAttr mma) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t pad = 16 * 8 / type.getElementTypeBitWidth();
  bool swizzled = mma.getFamily() == MmaFamily::wgmma;
  int64_t rowBytes = type.getDimSize(1) * type.getElementTypeBitWidth() / 8;
  if (swizzled && rowBytes % 128 != 0)
    return user->emitOpError()
           << "needs " << type
           << " in a 128-byte-swizzled buffer for wgmma, whose rows must be "
              "a multiple of 128 bytes; they are "
           << rowBytes;
  auto shared =
      swizzled ? SharedEncodingAttr::get(fn.getContext(), 0, /*swizzle=*/128)
               : SharedEncodingAttr::get(fn.getContext(), pad, /*swizzle=*/0);
  auto bufferType = BufferType::get(fn.getContext(),
                                    {1, type.getDimSize(0), type.getDimSize(1)},
                                    type.getElementType(), shared);
  OpBuilder entry = OpBuilder::atBlockBegin(&fn.getBody().front());
  Location loc = user->getLoc();
  Value buffer =
      AllocSharedOp::create(entry, loc, bufferType, /*offset=*/IntegerAttr());
  OpBuilder b(user);
  Value slot = arith::ConstantIndexOp::create(b, loc, 0);
  // In a warp-specialized kernel only the compute warps, which hold the
  // tile, meet at the barriers.
  IntegerAttr warps;
  if (user->getParentOfType<WarpSpecializeOp>())
    warps = b.getI64IntegerAttr(getKernelConfig(fn).computeWarps());
  BarrierOp::create(b, loc, warps);
  LocalStoreOp::create(b, loc, value, buffer, slot);
  BarrierOp::create(b, loc, warps);
  return LocalLoadOp::create(b, loc, bufferType.getSlotType(), buffer, slot)
      .getResult();
}

/// Inserts the conversions the uses in `fn` need.
LogicalResult insertConversions(func::FuncOp fn, MmaEncodingAttr mma) {
  WalkResult walk = fn.walk([&](Operation *op) -> WalkResult {
    if (isa<ConvertLayoutOp>(op))
      return WalkResult::advance();
    OpBuilder b(op);
    if (auto dot = dyn_cast<DotOp>(op)) {
      Value lhs = dot.getLhs();
      // A transposed A operand (the backward's dSᵀ of dQ = dS·K) is read
      // from shared memory (ldmatrix.trans, or a wgmma descriptor of an
      // M-major tile): a register tile goes there first.
      if (dot.getTransposeLhs() && hasRegisterLayout(lhs.getType())) {
        FailureOr<Value> staged = stageInShared(fn, dot, lhs, mma);
        if (failed(staged))
          return WalkResult::interrupt();
        dot.getLhsMutable().assign(*staged);
        LLVM_DEBUG(llvm::dbgs()
                   << "attn-assign-layouts: transposed A operand "
                      "of "
                   << dot.getLoc() << " staged in shared memory\n");
      } else if (hasRegisterLayout(lhs.getType())) {
        auto type = cast<RankedTensorType>(lhs.getType());
        auto operand = RankedTensorType::get(
            type.getShape(), type.getElementType(),
            OperandEncodingAttr::get(op->getContext(), OperandIndex::a, mma));
        dot.getLhsMutable().assign(convert(b, dot.getLoc(), lhs, operand));
        LLVM_DEBUG(llvm::dbgs()
                   << "attn-assign-layouts: A operand of " << dot.getLoc()
                   << " converted to " << operand << "\n");
      }
      // A B operand computed in registers (the backward's dSᵀ of dQᵀ =
      // Kᵀ·dSᵀ) is read from shared memory too.
      // (A loaded tile is attn-promote-shared's to copy there.)
      if (hasRegisterLayout(dot.getRhs().getType()) &&
          !dot.getRhs().getDefiningOp<LoadOp>()) {
        FailureOr<Value> staged = stageInShared(fn, dot, dot.getRhs(), mma);
        if (failed(staged))
          return WalkResult::interrupt();
        dot.getRhsMutable().assign(*staged);
      }
      if (!hasSharedLayout(dot.getRhs().getType()))
        return dot.emitOpError()
               << "rhs must be staged in shared memory to be an MMA B operand "
                  "(run -attn-promote-shared first), got "
               << dot.getRhs().getType();
      return WalkResult::advance();
    }
    if (isa<TransposeOp>(op))
      return op->emitOpError()
             << "is left: a tile in registers is not transposed; the "
                "transpose must move into the tile's computation "
                "(attn-recompute-probabilities does that for Pᵀ)";
    // Any other use of a shared-memory tile reads it into registers.
    for (OpOperand &use : op->getOpOperands()) {
      auto type = dyn_cast<RankedTensorType>(use.get().getType());
      if (!type || !hasSharedLayout(type))
        continue;
      use.set(convert(b, op->getLoc(), use.get(),
                      registerType(RankedTensorType::get(type.getShape(),
                                                         type.getElementType()),
                                   mma)));
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

struct AttnAssignLayoutsPass
    : attn::impl::AttnAssignLayoutsBase<AttnAssignLayoutsPass> {
  void runOnOperation() override {
    FailureOr<SmallVector<func::FuncOp>> found =
        getTileKernels(getOperation(), "attn-assign-layouts",
                       "rung 4, after attn-promote-shared");
    if (failed(found))
      return signalPassFailure();
    SmallVector<func::FuncOp> kernels = std::move(*found);
    for (func::FuncOp fn : kernels) {
      ConfigAttr config = getKernelConfig(fn);
      // Producer warps hold no tiles: the layouts span the compute warps.
      auto mma = MmaEncodingAttr::get(&getContext(), config.getMma(),
                                      config.computeWarps());
      // Assign the types first (arith ops want equal operand and result
      // types), then make every use see the layout it needs.
      retype(fn, mma);
      if (failed(assignColumnSlices(fn, mma)) ||
          failed(insertConversions(fn, mma)) ||
          failed(checkRegisterShapes(fn)))
        return signalPassFailure();
      if (failed(mlir::verify(fn)))
        return signalPassFailure();
    }
  }
};

} // namespace
