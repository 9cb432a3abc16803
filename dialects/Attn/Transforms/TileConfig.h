//===- TileConfig.h - block sizes and warps per kernel ----------*- C++ -*-===//
#ifndef ATTN_COMPILER_TILECONFIG_H
#define ATTN_COMPILER_TILECONFIG_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

namespace attn {

/// How a kernel is cut into tiles: a program owns `blockM` rows, steps over
/// `blockN` columns at a time, and runs `numWarps` warps.
struct TileConfig {
  int64_t blockM = 0;
  int64_t blockN = 0;
  int64_t numWarps = 0;
};

/// Defaults tuned for an H100, per head dimension and element type. Any
/// non-zero field of `requested` overrides the default.
TileConfig chooseFusedConfig(int64_t headDim, mlir::Type elementType,
                             TileConfig requested);
TileConfig chooseUnfusedConfig(int64_t headDim, mlir::Type elementType,
                               TileConfig requested);

/// Checks that the MMA mapping can run `config` on an attention with head
/// dimension `headDim`; reports the broken rule on `op` otherwise.
mlir::LogicalResult verifyTileConfig(mlir::Operation *op, TileConfig config,
                                     int64_t headDim, mlir::Type elementType);

} // namespace attn

#endif // ATTN_COMPILER_TILECONFIG_H
