//===- Patterns.h - tile -> gpu/nvgpu conversion patterns -------*- C++ -*-===//
//
// The GPU lowering is a set of conversion patterns, grouped by concern and
// driven by the layouts on the tile types, so that a second MMA family is a
// second pattern set beside the first:
//   * memory: global loads/stores in a register layout, shared buffers,
//     cp.async copies, their commits and waits, barriers, slot views;
//   * arithmetic: element-wise math, constants, row reductions and
//     broadcasts, masks, layout conversions;
//   * control flow: program ids, and structured control flow carrying
//     converted values (upstream's SCF structural conversion);
//   * mma.sync: tile.dot on #tile.mma<sync> tiles (ldmatrix + mma.sync);
//   * TMA (sm_90a): swizzled buffers, barrier rings, TMA copies, warp
//     specialization;
//   * wgmma (sm_90a): tile.dot on #tile.mma<wgmma> tiles.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_COMPILER_CONVERSION_TILETOGPU_PATTERNS_H
#define ATTN_COMPILER_CONVERSION_TILETOGPU_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace attn::tilegpu {

/// Named barriers (bar.sync ids; 16 per program): 0 synchronizes the whole
/// program; the compute warpgroups' turns take 1 + warpgroup (TMA
/// patterns); the compute warps of a warp-specialized kernel alone
/// (tile.barrier with `warps`) meet at the last one.
constexpr int64_t kFirstTurnBarrier = 1, kComputeWarpsBarrier = 15;

void populateTileMemoryToGPUPatterns(const mlir::TypeConverter &converter,
                                     mlir::RewritePatternSet &patterns);
void populateTileArithToGPUPatterns(const mlir::TypeConverter &converter,
                                    mlir::RewritePatternSet &patterns);
/// Also marks structured control flow legal once its types are.
void populateTileControlFlowToGPUPatterns(const mlir::TypeConverter &converter,
                                          mlir::RewritePatternSet &patterns,
                                          mlir::ConversionTarget &target);
void populateMmaSyncDotPatterns(const mlir::TypeConverter &converter,
                                mlir::RewritePatternSet &patterns);
void populateTmaPatterns(const mlir::TypeConverter &converter,
                         mlir::RewritePatternSet &patterns);
void populateWgmmaDotPatterns(const mlir::TypeConverter &converter,
                              mlir::RewritePatternSet &patterns);

} // namespace attn::tilegpu

#endif // ATTN_COMPILER_CONVERSION_TILETOGPU_PATTERNS_H
