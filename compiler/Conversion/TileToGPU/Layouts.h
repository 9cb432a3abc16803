//===- Layouts.h - where a tile's elements live in a program ----*- C++ -*-===//
//
// The per-thread geometry of the register layouts (dialects/Tile/IR
// TileAttrs.td describes them) that the GPU patterns share: how many pieces
// a thread holds and which row and column each element of a piece is.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_CONVERSION_TILETOGPU_LAYOUTS_H
#define ATTN_COMPILER_CONVERSION_TILETOGPU_LAYOUTS_H

#include "dialects/Tile/IR/TileDialect.h"

#include "mlir/IR/Builders.h"

namespace attn::tilegpu {

/// The gpu.func that holds `block` (or whose body it is).
mlir::Operation *enclosingKernel(mlir::Block *block);
/// The #tile.config of the kernel holding `op` (null outside one); the GPU
/// conversion keeps it on the gpu.func while it runs.
tile::ConfigAttr kernelConfigOf(mlir::Operation *op);

/// The indices of the calling thread, built once at the entry of the
/// enclosing gpu.func: thread id, lane, warp, quad (lane / 4) and thread in
/// quad (lane % 4).
struct ThreadIds {
  mlir::Value thread, lane, warp, group, threadInGroup;
  /// The ids of the gpu.func holding the builder's insertion point.
  static ThreadIds get(mlir::OpBuilder &b, mlir::Location loc);
};

/// A 2-D tile in a #tile.mma layout: atoms of 16 rows over the warps, pieces
/// of 2x2 elements (rows g and g+8, columns 2t and 2t+1 of an 8-column
/// slice) in each thread.
class AccumulatorLayout {
public:
  AccumulatorLayout(tile::MmaEncodingAttr mma, int64_t rows, int64_t cols)
      : mma(mma), rows(rows), cols(cols) {}

  /// 16-row atoms each warp holds.
  int64_t atomsPerWarp() const { return rows / mma.rowsPerStep(); }
  /// 8-column slices of a row.
  int64_t colAtoms() const { return cols / 8; }
  /// vector<2x2xT> pieces per thread, indexed [atom * colAtoms() + slice].
  int64_t pieces() const { return atomsPerWarp() * colAtoms(); }

  /// The tile-relative row of vector row `h` (0: g, 1: g + 8) of atom `mi`.
  mlir::Value row(mlir::OpBuilder &b, mlir::Location loc, const ThreadIds &ids,
                  int64_t mi, int64_t h) const;
  /// The tile-relative row `inAtom` (0..15) of atom `mi` of the calling
  /// warp: the warp's first row + (inAtom + the atom's offset).
  mlir::Value atomRow(mlir::OpBuilder &b, mlir::Location loc,
                      const ThreadIds &ids, int64_t mi,
                      mlir::Value inAtom) const;
  /// row(mi, h) - row(0, 0), the same for every thread: a multiple of 8.
  int64_t rowDistance(int64_t mi, int64_t h) const;
  /// The tile-relative column of vector column `j` (0 or 1) of slice `ni`:
  /// col(0, 0) + 8·ni + j.
  mlir::Value col(mlir::OpBuilder &b, mlir::Location loc, const ThreadIds &ids,
                  int64_t ni, int64_t j) const;

  tile::MmaEncodingAttr encoding() const { return mma; }

private:
  /// Rows from the warp's first row to atom `mi`'s.
  int64_t atomOffset(int64_t mi) const;
  mlir::Value atomRowOffset(mlir::OpBuilder &b, mlir::Location loc,
                            const ThreadIds &ids, int64_t mi,
                            mlir::Value inAtom, int64_t extra) const;

  tile::MmaEncodingAttr mma;
  int64_t rows, cols;
};

/// The accumulator layout of a 2-D tensor type with a #tile.mma encoding,
/// of the parent of a #tile.slice (a row vector: with `cols` columns; a
/// column vector: one row step) or #tile.operand.
AccumulatorLayout accumulatorLayoutOf(mlir::RankedTensorType type,
                                      int64_t cols = 8);

/// Small index builders the patterns share.
mlir::Value indexConstant(mlir::OpBuilder &b, mlir::Location loc, int64_t v);
/// An i32 constant (NVVM's barrier ids, counts and thread numbers).
mlir::Value i32Constant(mlir::OpBuilder &b, mlir::Location loc, int64_t v);
mlir::Value addIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     mlir::Value y);
mlir::Value mulIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                     int64_t y);
/// The global-memory pointer (!llvm.ptr<1>) of `type`'s element at
/// `indices`, static strides and offset, from the buffer's aligned pointer
/// `base` (memref.extract_aligned_pointer_as_index).
mlir::Value globalElementPointer(mlir::OpBuilder &b, mlir::Location loc,
                                 mlir::MemRefType type, mlir::Value base,
                                 mlir::ValueRange indices);
/// vector<NxM...> from N vectors of shape M...
mlir::Value stackRows(mlir::OpBuilder &b, mlir::Location loc,
                      llvm::ArrayRef<mlir::Value> rows);

} // namespace attn::tilegpu

#endif // ATTN_COMPILER_CONVERSION_TILETOGPU_LAYOUTS_H
