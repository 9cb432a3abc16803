//===- TileDialect.h - the tile dialect -------------------------*- C++ -*-===//
#ifndef ATTN_DIALECTS_TILE_TILEDIALECT_H
#define ATTN_DIALECTS_TILE_TILEDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "dialects/Tile/IR/TileDialect.h.inc"

namespace attn::tile {
/// Attribute names a kernel function carries.
inline constexpr llvm::StringLiteral kGridAttr = "tile.grid";
inline constexpr llvm::StringLiteral kNumWarpsAttr = "tile.num_warps";
} // namespace attn::tile

#endif // ATTN_DIALECTS_TILE_TILEDIALECT_H
