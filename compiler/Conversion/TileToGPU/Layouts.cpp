//===- Layouts.cpp - where a tile's elements live in a program ------------===//
#include "compiler/Conversion/TileToGPU/Layouts.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace attn::tilegpu {

Value indexConstant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value i32Constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, b.getI32Type(), v);
}
Value addIndex(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::AddIOp::create(b, loc, x, y);
}
Value mulIndex(OpBuilder &b, Location loc, Value x, int64_t y) {
  return arith::MulIOp::create(b, loc, x, indexConstant(b, loc, y));
}

Value globalElementPointer(OpBuilder &b, Location loc, MemRefType type,
                           Value base, ValueRange indices) {
  auto [strides, offset] = type.getStridesAndOffset();
  Value linear = indexConstant(b, loc, offset);
  for (auto [index, stride] : llvm::zip_equal(indices, strides))
    linear = addIndex(b, loc, linear, mulIndex(b, loc, index, stride));
  Value address = addIndex(
      b, loc, base, mulIndex(b, loc, linear, type.getElementTypeBitWidth() / 8));
  Value generic = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()),
      arith::IndexCastUIOp::create(b, loc, b.getI64Type(), address)
          .getResult());
  return LLVM::AddrSpaceCastOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext(), 1), generic);
}

Value stackRows(OpBuilder &b, Location loc, ArrayRef<Value> rows) {
  auto rowType = cast<VectorType>(rows.front().getType());
  SmallVector<int64_t> shape = {static_cast<int64_t>(rows.size())};
  llvm::append_range(shape, rowType.getShape());
  auto type = VectorType::get(shape, rowType.getElementType());
  Value result = arith::ConstantOp::create(b, loc, type, b.getZeroAttr(type));
  for (auto [i, row] : llvm::enumerate(rows))
    result = vector::InsertOp::create(b, loc, row, result,
                                      ArrayRef<int64_t>{int64_t(i)});
  return result;
}

Operation *enclosingKernel(Block *block) {
  Operation *op = block->getParentOp();
  if (isa<mlir::gpu::GPUFuncOp>(op))
    return op;
  return op->getParentOfType<mlir::gpu::GPUFuncOp>();
}

tile::ConfigAttr kernelConfigOf(Operation *op) {
  return tile::getKernelConfig(enclosingKernel(op->getBlock()));
}

ThreadIds ThreadIds::get(OpBuilder &b, Location loc) {
  OpBuilder::InsertionGuard guard(b);
  if (Operation *fn = enclosingKernel(b.getInsertionBlock()))
    b.setInsertionPointToStart(&fn->getRegion(0).front());
  ThreadIds ids;
  ids.thread = mlir::gpu::ThreadIdOp::create(b, loc, mlir::gpu::Dimension::x);
  ids.lane =
      arith::RemUIOp::create(b, loc, ids.thread, indexConstant(b, loc, 32));
  ids.warp =
      arith::DivUIOp::create(b, loc, ids.thread, indexConstant(b, loc, 32));
  ids.group =
      arith::DivUIOp::create(b, loc, ids.lane, indexConstant(b, loc, 4));
  ids.threadInGroup =
      arith::RemUIOp::create(b, loc, ids.lane, indexConstant(b, loc, 4));
  return ids;
}

Value AccumulatorLayout::atomRowOffset(OpBuilder &b, Location loc,
                                       const ThreadIds &ids, int64_t mi,
                                       Value inAtom, int64_t extra) const {
  Value base;
  if (mma.getFamily() == tile::MmaFamily::sync) {
    // Warp w owns rows [w·R/W, (w+1)·R/W): its atoms one after another.
    base = mulIndex(b, loc, ids.warp, rows / mma.getWarps());
  } else {
    // wgmma: 64-row slabs go to the warpgroups in turn; warp w mod 4 owns
    // 16 rows of each of its group's slabs.
    Value group =
        arith::DivUIOp::create(b, loc, ids.warp, indexConstant(b, loc, 4));
    Value inGroup =
        arith::RemUIOp::create(b, loc, ids.warp, indexConstant(b, loc, 4));
    base = addIndex(b, loc, mulIndex(b, loc, group, 64),
                    mulIndex(b, loc, inGroup, 16));
  }
  return addIndex(
      b, loc, base,
      addIndex(b, loc, inAtom, indexConstant(b, loc, atomOffset(mi) + extra)));
}

int64_t AccumulatorLayout::atomOffset(int64_t mi) const {
  if (mma.getFamily() == tile::MmaFamily::sync)
    return 16 * mi;
  return 64 * (mma.getWarps() / 4) * mi;
}

int64_t AccumulatorLayout::rowDistance(int64_t mi, int64_t h) const {
  return atomOffset(mi) + 8 * h;
}

Value AccumulatorLayout::atomRow(OpBuilder &b, Location loc,
                                 const ThreadIds &ids, int64_t mi,
                                 Value inAtom) const {
  return atomRowOffset(b, loc, ids, mi, inAtom, 0);
}

Value AccumulatorLayout::row(OpBuilder &b, Location loc, const ThreadIds &ids,
                             int64_t mi, int64_t h) const {
  return atomRowOffset(b, loc, ids, mi, ids.group, 8 * h);
}

Value AccumulatorLayout::col(OpBuilder &b, Location loc, const ThreadIds &ids,
                             int64_t ni, int64_t j) const {
  return addIndex(b, loc, mulIndex(b, loc, ids.threadInGroup, 2),
                  indexConstant(b, loc, ni * 8 + j));
}

AccumulatorLayout accumulatorLayoutOf(RankedTensorType type, int64_t cols) {
  Attribute encoding = type.getEncoding();
  if (auto mma = dyn_cast<tile::MmaEncodingAttr>(encoding))
    return AccumulatorLayout(mma, type.getDimSize(0), type.getDimSize(1));
  if (auto slice = dyn_cast<tile::SliceEncodingAttr>(encoding)) {
    // A column vector: the columns of one row step of the warps.
    if (slice.getDim() == 0)
      return AccumulatorLayout(slice.getParent(),
                               slice.getParent().rowsPerStep(),
                               type.getDimSize(0));
    return AccumulatorLayout(slice.getParent(), type.getDimSize(0), cols);
  }
  auto operand = cast<tile::OperandEncodingAttr>(encoding);
  return AccumulatorLayout(operand.getParent(), type.getDimSize(0),
                           type.getDimSize(1));
}

} // namespace attn::tilegpu
