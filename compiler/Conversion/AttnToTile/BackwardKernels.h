//===- BackwardKernels.h - tile kernels of the backward pass ----*- C++ -*-===//
//
// Both tilings of attn.attention_backward build their kernels from these:
// the problem's memref types, the kernel that writes the probabilities P
// (what standard attention's forward saves; the fused pipeline recomputes
// it away) and the preprocessing kernel δ = rowsum(dO ∘ O).
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_CONVERSION_ATTNTOTILE_BACKWARDKERNELS_H
#define ATTN_COMPILER_CONVERSION_ATTNTOTILE_BACKWARDKERNELS_H

#include "compiler/Conversion/AttnToTile/KernelBuilder.h"
#include "dialects/Attn/Transforms/TileConfig.h"

namespace attn {

/// The sizes and buffer types of one backward problem.
struct BackwardShapes {
  BackwardShapes(AttentionBackwardOp op, TilingAttr tiling);

  mutable AttentionBackwardOp op; // An op handle; its accessors are not const.
  TilingAttr tiling;
  TileConfig c;
  int64_t batch, heads, n, d;
  mlir::Type elt;
  /// [B,H,N,D] in the element type (Q, K, V, O, dO and the gradients).
  mlir::MemRefType qkv;
  /// [B,H,N] f32 (the logsumexp, δ).
  mlir::MemRefType rows;
  /// [B,H,N,D] f32 (dQ's accumulator).
  mlir::MemRefType accumulator;
  /// [B,H,N,N] in the element type (P, dP, dS).
  mlir::MemRefType scores;

  int64_t rowBlocks() const;
  /// Warps of the kernels whose tiles are block-m query rows: the warps
  /// split the rows 16 each, so the most (a power of two) whose 16-row
  /// atoms divide block-m (the main kernel's block-m may be smaller than 16
  /// per warp: its rows are keys).
  int64_t rowWarps() const;
  int64_t keyBlocks() const;
  /// The #tile.config of a kernel over `grid` whose tiles are block-m query
  /// rows: rowWarps() warps in mma.sync layouts. Only the main kernel's
  /// products are worth a wgmma warpgroup and its producers.
  tile::ConfigAttr rowKernelConfig(llvm::ArrayRef<int64_t> grid) const;
  /// scale·log2(e): scores in the log2 domain.
  double scaleLog2() const;
};

/// P[b,h,rows,cols] = exp(mask(scale·Q·Kᵀ) − lse), one block-m×block-n tile
/// per program over the grid (B·H, row blocks, key blocks): arguments q, k,
/// lse, p. Each tile is a function of the indices it is stored at (the
/// recomputation pass relies on it).
mlir::func::FuncOp buildProbabilitiesKernel(const BackwardShapes &s);

/// δ[b,h,rows] = rowsum(dO ∘ O) in f32 over the grid (row blocks, H, B):
/// arguments do, o, delta and, with `zeroAccumulator`, dq_acc, whose rows
/// it sets to zero for the dQ atomics that follow.
mlir::func::FuncOp buildPreprocessKernel(const BackwardShapes &s,
                                         bool zeroAccumulator);

/// The launch of `kernel` on `inputs` with fresh outputs of `outputs`,
/// named `names` (inputs, then outputs), before `op`.
mlir::ValueRange launchKernel(mlir::Operation *op, mlir::func::FuncOp kernel,
                              mlir::ValueRange inputs, mlir::TypeRange outputs,
                              llvm::ArrayRef<llvm::StringRef> names);

/// Tensor types of the buffers above.
mlir::RankedTensorType tensorFor(mlir::MemRefType type);

} // namespace attn

#endif // ATTN_COMPILER_CONVERSION_ATTNTOTILE_BACKWARDKERNELS_H
