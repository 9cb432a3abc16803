//===- TileToGPULowering.h - tile kernel -> gpu.func body -------*- C++ -*-===//
//
// Maps the tile values of one kernel onto the threads of a program.
//
// Register layout (the m16n8 MMA accumulator layout, warps stacked along
// rows): a 2-D tile of R rows is cut into 16-row atoms; warp w owns rows
// [w·R/W, (w+1)·R/W), i.e. R/(16·W) atoms, and each 8-column slice of an
// atom is one vector<2x2xT> per thread: lane = 4·g + t holds elements
// (g, 2t), (g, 2t+1) in vector row 0 and (g+8, 2t), (g+8, 2t+1) in row 1.
// A row vector (one value per tile row) is one vector<2xf32> per atom.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_TILETOGPULOWERING_H
#define ATTN_COMPILER_TILETOGPULOWERING_H

#include "dialects/Tile/IR/TileOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace attn {

/// Where one tile value lives after mapping.
struct Fragment {
  enum class Kind { Registers, Rows, Shared };
  Kind kind = Kind::Registers;
  /// Registers: [mAtom · nAtoms + nAtom] of vector<2x2xT>.
  /// Rows: [mAtom] of vector<2xf32>.
  llvm::SmallVector<mlir::Value> regs;
  /// Shared: a workgroup buffer and the slot holding this tile.
  mlir::Value buffer, slot;
};

class KernelLowering {
public:
  KernelLowering(mlir::OpBuilder &b, mlir::Location loc, int64_t numWarps);

  /// Lowers the ops of `block` (a tile kernel body or a nested region) at
  /// the builder's insertion point. Block arguments must be mapped first.
  mlir::LogicalResult lowerBlock(mlir::Block &block);
  void mapScalar(mlir::Value from, mlir::Value to) { scalars.map(from, to); }
  int64_t sharedBytes() const { return sharedTop; }

private:
  mlir::LogicalResult lowerOp(mlir::Operation *op);
  mlir::LogicalResult lowerElementwise(mlir::Operation *op);
  mlir::LogicalResult lowerConstant(mlir::arith::ConstantOp op);
  mlir::LogicalResult lowerFor(mlir::scf::ForOp op);
  mlir::LogicalResult lowerIf(mlir::scf::IfOp op);
  mlir::LogicalResult lowerReduce(tile::ReduceOp op);
  mlir::LogicalResult lowerBroadcast(tile::BroadcastOp op);
  mlir::LogicalResult lowerMask(tile::MaskOp op);
  mlir::LogicalResult lowerLoad(tile::LoadOp op);
  mlir::LogicalResult lowerStore(tile::StoreOp op);
  mlir::LogicalResult lowerAlloc(tile::AllocSharedOp op);
  mlir::LogicalResult lowerAsyncCopy(tile::AsyncCopyOp op);
  // DotToMma.cpp
  mlir::LogicalResult lowerDot(tile::DotOp op);
  mlir::Value operandA16(const Fragment &a, mlir::Type elt, int64_t rows,
                         int64_t mi, int64_t ki);
  mlir::Value mmaBf16(mlir::Value a, mlir::Value b, mlir::Value c);
  mlir::Value operandATf32(const Fragment &a, int64_t rows, int64_t mi,
                           int64_t ki);

  // Geometry of the register layout.
  mlir::FailureOr<int64_t> mAtoms(mlir::Operation *op, int64_t rows);
  /// Row of element (mAtom mi, vector row h) of an R-row tile, tile-relative.
  mlir::Value rowOf(int64_t rows, int64_t mi, int64_t h);
  /// Column of element (nAtom ni, vector column j), tile-relative.
  mlir::Value colOf(int64_t ni, int64_t j);

  // Small builders.
  mlir::Value idx(int64_t v);
  mlir::Value addIdx(mlir::Value a, mlir::Value b);
  mlir::Value mulIdx(mlir::Value a, int64_t b);
  mlir::Value cmp(mlir::arith::CmpIPredicate p, mlir::Value a, mlir::Value b);
  mlir::Value andI(mlir::Value a, mlir::Value b);
  mlir::Value tileInBounds(mlir::Value rowOff, mlir::Value colOff, int64_t rows,
                           int64_t cols, int64_t memRows, int64_t memCols);
  mlir::Value extract(mlir::Value vec, llvm::ArrayRef<int64_t> pos);
  /// vector<2x2xT> (or <4x2>, ...) from its rows.
  mlir::Value stackRows(llvm::ArrayRef<mlir::Value> rows);
  mlir::Value lookup(mlir::Value v) { return scalars.lookupOrDefault(v); }
  mlir::FailureOr<Fragment> fragment(mlir::Operation *user, mlir::Value v);

  mlir::OpBuilder &b;
  mlir::Location loc;
  int64_t numWarps;
  mlir::Value lane, warp, groupId, threadInGroup, threadId, smemBase;
  int64_t sharedTop = 0;
  mlir::IRMapping scalars;
  llvm::DenseMap<mlir::Value, Fragment> frags;
};

} // namespace attn

#endif // ATTN_COMPILER_TILETOGPULOWERING_H
