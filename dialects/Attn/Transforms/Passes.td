//===- Passes.td - attn-to-attn passes ---------------------*- tablegen -*-===//
//
// Passes that stay on rung 1: they annotate attn.attention ops.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_DIALECT_ATTN_TRANSFORMS_PASSES
#define ATTN_DIALECT_ATTN_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def AttnSelectTiling : Pass<"attn-select-tiling", "mlir::ModuleOp"> {
  let summary = "Choose and check the tile configuration of every attn.attention and attn.attention_backward";
  let description = [{
    Rung 1 → rung 1. Records on each `attn.attention` and
    `attn.attention_backward` the tiling its
    pipeline will use, as `tiling = #attn.tiling<...>`: the defaults tuned
    per chip, head dimension and element type, overridden by the options,
    and checked against the problem (the MMA contraction step, rows per
    warp, CUDA's grid limits, the unfused pipeline's N×N buffers). The
    tiling passes, the cost model and the manifest read it from the op;
    nothing chooses it again. The fused backward's programs own block-n
    keys and step over block-m query rows; it has its own defaults.

    Before:
    ```mlir
    %o = attn.attention %q, %k, %v : ... -> tensor<1x2x1000x64xbf16>
    ```
    After (`attn-select-tiling="block-n=32"`):
    ```mlir
    %o = attn.attention %q, %k, %v {tiling = #attn.tiling<fused,
        block_m = 128, block_n = 32, warps = 4, stages = 2, chip = "sm_90">}
        : ... -> tensor<1x2x1000x64xbf16>
    ```
  }];
  let options = [
    Option<"pipeline", "pipeline", "std::string", "\"fused\"",
           "The pipeline that will compile the ops: fused or unfused">,
    Option<"chip", "chip", "std::string", "\"sm_90\"",
           "Target GPU: sm_80, sm_86, sm_89, sm_90 or sm_90a">,
    Option<"blockM", "block-m", "int64_t", "0",
           "Rows of Q per program (0: the default)">,
    Option<"blockN", "block-n", "int64_t", "0",
           "Keys per loop step (0: the default)">,
    Option<"numWarps", "num-warps", "int64_t", "0",
           "Warps per program (0: the default)">,
    Option<"numStages", "num-stages", "int64_t", "0",
           "Shared-memory buffers per pipelined K/V tile (0: the default, 2)">,
    Option<"mma", "mma", "std::string", "\"auto\"",
           "Tensor-core instructions: auto (wgmma where the chip and problem "
           "allow it), sync or wgmma">,
    Option<"splitKeys", "split-keys", "int64_t", "-1",
           "Fused forward: keys per program, its partial results combined by "
           "a second kernel (flash-decoding): -1 (the default) for at most "
           "16 queries where few programs would run otherwise (sizes known "
           "when compiling), 0 never, or a multiple of block-n">
  ];
}

#endif // ATTN_DIALECT_ATTN_TRANSFORMS_PASSES
