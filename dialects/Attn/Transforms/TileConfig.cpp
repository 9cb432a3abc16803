//===- TileConfig.cpp - block sizes and warps per kernel ------------------===//
#include "dialects/Attn/Transforms/TileConfig.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace attn {

static TileConfig override(TileConfig defaults, TileConfig requested) {
  if (requested.blockM)
    defaults.blockM = requested.blockM;
  if (requested.blockN)
    defaults.blockN = requested.blockN;
  if (requested.numWarps)
    defaults.numWarps = requested.numWarps;
  return defaults;
}

TileConfig chooseFusedConfig(int64_t headDim, Type elementType,
                             TileConfig requested) {
  // Two 16-row atoms per warp let each K/V fragment read from shared memory
  // feed two MMAs; for D = 128 a 32-wide K/V step keeps that in registers
  // (measured on an H100, bf16, N=4096: 283 TFLOP/s against 245 for one
  // atom per warp with 64-wide steps; bench/NOTES.md).
  TileConfig config{128, 32, 4};
  if (headDim <= 64)
    config = {128, 64, 4};
  else if (headDim > 128)
    config = {64, 32, 4};
  // f32 operands take twice the registers and shared memory, and the TF32
  // split three times the MMAs: one 16-row atom per warp, narrow K/V tiles.
  if (elementType.isF32())
    config = {64, 32, 4};
  return override(config, requested);
}

TileConfig chooseUnfusedConfig(int64_t headDim, Type elementType,
                               TileConfig requested) {
  TileConfig config{128, 64, 8};
  if (headDim > 128)
    config = {64, 64, 4};
  return override(config, requested);
}

LogicalResult verifyTileConfig(Operation *op, TileConfig c, int64_t headDim,
                               Type elementType) {
  // The MMA contraction step: m16n8k16 for 16-bit types, m16n8k8 for TF32.
  int64_t k = elementType.isF32() ? 8 : 16;
  if (headDim % k != 0)
    return op->emitError() << "head dimension " << headDim
                           << " is not a multiple of " << k
                           << ", the MMA contraction step for " << elementType;
  if (c.numWarps < 1 || c.numWarps > 32)
    return op->emitError() << "num-warps must be in [1, 32], got "
                           << c.numWarps;
  if (c.blockM < 16 || c.blockM % (16 * c.numWarps) != 0)
    return op->emitError() << "block-m " << c.blockM
                           << " must be a positive multiple of 16 x num-warps ("
                           << 16 * c.numWarps << ")";
  if (c.blockN < 16 || c.blockN % 16 != 0)
    return op->emitError() << "block-n " << c.blockN
                           << " must be a positive multiple of 16";
  return success();
}

} // namespace attn
