//===- SinkTranspose.h - move tile.transpose into its producer --*- C++ -*-===//
#ifndef ATTN_DIALECT_TILE_TRANSFORMS_SINKTRANSPOSE_H
#define ATTN_DIALECT_TILE_TRANSFORMS_SINKTRANSPOSE_H

#include "dialects/Tile/IR/TileOps.h"

#include "mlir/IR/PatternMatch.h"

namespace attn::tile {

/// Rewrites tile.transpose of a computed tile into the same computation
/// done transposed (SinkTranspose.cpp lists the rules).
void populateSinkTransposePatterns(mlir::RewritePatternSet &patterns);

} // namespace attn::tile

#endif // ATTN_DIALECT_TILE_TRANSFORMS_SINKTRANSPOSE_H
