//===- Passes.td - tile-to-tile passes ------------------ -*- tablegen -*-===//
//
// Passes that stay inside the tile dialect (rungs 2 -> 4): each rewrites
// tile kernels into tile kernels.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_TILE_TRANSFORMS_PASSES
#define ATTN_DIALECT_TILE_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def AttnFuseOnlineSoftmax
    : Pass<"attn-fuse-online-softmax", "mlir::func::FuncOp"> {
  let summary = "Fuse the max pass and the sum/accumulate pass into one online-softmax loop";
  let description = [{
    Rung 2 → 3. Finds a loop that only computes a running row maximum `m`
    of some scores `x`, followed by a loop over the same range that uses
    `m` only as `exp2(x - broadcast(m))`. The two become one loop carrying
    `m`: each step computes `m_new = max(m_old, rowmax(x))` and
    `alpha = exp2(m_old - m_new)`, and every loop-carried sum of the second
    loop (`l + rowsum(p)`, `acc + p·V`) is rescaled by `alpha` first.
  }];
  let options = [
    Option<"skipRescale", "testing-skip-rescale", "bool", "false",
           "Testing only: omit the alpha rescale, producing a wrong kernel "
           "(proves the numerical checks catch it)">
  ];
}

def AttnPromoteShared : Pass<"attn-promote-shared", "mlir::func::FuncOp"> {
  let summary = "Stage tile.dot operands in shared memory with multi-buffered async copies";
  let description = [{
    Rung 3 → 4. Every `tile.load` that feeds a `tile.dot` becomes a copy into
    a padded workgroup-memory buffer (`tile.alloc_shared`, rows padded by
    16 bytes so ldmatrix rows fall in distinct banks) and a
    `tile.local_load`. Loads inside an `scf.for` are software-pipelined
    `num-stages` deep: a prologue starts the first stages−1 tiles and each
    iteration waits for its tile, then starts the tile stages−1 ahead.
  }];
  let options = [
    Option<"numStages", "num-stages", "int64_t", "2",
           "Buffers per pipelined tile (>= 1)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

#endif // ATTN_DIALECT_TILE_TRANSFORMS_PASSES
