//===- TileDialect.h - the tile dialect -------------------------*- C++ -*-===//
#ifndef ATTN_DIALECTS_TILE_TILEDIALECT_H
#define ATTN_DIALECTS_TILE_TILEDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/TensorEncoding.h"

#include "dialects/Tile/IR/TileDialect.h.inc"
#include "dialects/Tile/IR/TileEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Tile/IR/TileAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Tile/IR/TileTypes.h.inc"

namespace attn::tile {

/// The #tile.config of a kernel function, or null when `op` is none.
ConfigAttr getKernelConfig(mlir::Operation *op);

/// The tile kernels of `module` (functions with a #tile.config), in order.
/// Fails with an error naming `pass` when there is none ("the pass runs on
/// `where`") or, with `needBodies`, when one is a declaration.
mlir::FailureOr<llvm::SmallVector<mlir::func::FuncOp>>
getTileKernels(mlir::ModuleOp module, llvm::StringRef pass,
               llvm::StringRef where, bool needBodies = false);

/// Whether the index `v` is a multiple of `n` by construction: a constant
/// one, a product with one, a sum or difference of such, or the variable
/// of an scf.for whose start and step are (tile offsets are multiples of
/// their block).
bool isMultipleOf(mlir::Value v, int64_t n);

/// Whether `type` is a tensor whose encoding puts it in registers
/// (#tile.mma, #tile.slice, #tile.operand).
bool hasRegisterLayout(mlir::Type type);
/// Whether `type` is a tensor in shared memory (#tile.shared).
bool hasSharedLayout(mlir::Type type);

} // namespace attn::tile

#endif // ATTN_DIALECTS_TILE_TILEDIALECT_H
