//===- Passes.td - conversions between rungs ------------ -*- tablegen -*-===//
//
// Passes that move the program from one dialect to the next: attn -> tile
// (the two tilings), tile -> gpu/nvgpu (warps and threads), tile -> host
// loops (the CPU execution path).
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_CONVERSION_PASSES
#define ATTN_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def AttnTile : Pass<"attn-tile", "mlir::ModuleOp"> {
  let summary = "Lower attn.attention to one tiled kernel with an exact softmax";
  let description = [{
    Rung 1 → 2. Each `attn.attention` becomes a `tile.launch` of a new kernel
    function over the grid (B·H, ⌈N/block-m⌉). A program loads its
    block-m×D tile of Q and makes two passes over block-n-wide K/V tiles:
    the first finds each row's maximum score, the second sums the
    exponentials and accumulates P·V. The division by the row sum happens
    once at the end. Scores are kept in the log2 domain (scale·log2 e folded
    in) so the exponentials are `math.exp2`. With `causal`, the loops stop at
    the last K/V tile that touches the diagonal.

    Before: `%o = attn.attention %q, %k, %v : ...`
    After:  `%o = tile.launch @attn_fwd(%q, %k, %v) : ...` plus
            `func.func @attn_fwd(%q: memref<..>, ..., %o: memref<..>)
               attributes {tile.grid = array<i64: BH, M, 1>, tile.num_warps = W}`.
  }];
  let options = [
    Option<"blockM", "block-m", "int64_t", "0",
           "Rows of Q per program (0: choose from D and the element type)">,
    Option<"blockN", "block-n", "int64_t", "0",
           "Columns of K/V per loop step (0: choose)">,
    Option<"numWarps", "num-warps", "int64_t", "0",
           "Warps per program (0: choose)">
  ];
  let dependentDialects = ["::attn::tile::TileDialect",
                           "::mlir::func::FuncDialect"];
}

def AttnTileUnfused : Pass<"attn-tile-unfused", "mlir::ModuleOp"> {
  let summary = "Lower attn.attention to three kernels: S = Q·Kᵀ, P = softmax(S), O = P·V";
  let description = [{
    Rung 1 → 2 for the unfused ("standard attention") pipeline. S and P are
    full [B, H, N, N] tensors passed between three `tile.launch`es, so the
    runtime materializes them in device memory. S holds scale·Q·Kᵀ with
    masked entries set to -inf; the softmax kernel makes three passes over
    each row block (max, sum, normalize).
  }];
  let options = [
    Option<"blockM", "block-m", "int64_t", "0", "Rows per program (0: choose)">,
    Option<"blockN", "block-n", "int64_t", "0", "Columns per tile (0: choose)">,
    Option<"numWarps", "num-warps", "int64_t", "0", "Warps per program (0: choose)">
  ];
  let dependentDialects = ["::attn::tile::TileDialect",
                           "::mlir::func::FuncDialect"];
}

def AttnConvertTileToGPU : Pass<"attn-convert-tile-to-gpu", "mlir::ModuleOp"> {
  let summary = "Map tile kernels to warps and threads: gpu.func with nvgpu MMA";
  let description = [{
    Rung 4 → 5. Each tile kernel becomes a `gpu.func` in `gpu.module
    @attn_kernels`. Tiles of M rows are split across warps in 16-row MMA
    atoms; a 2-D tile lives in registers in the m16n8 accumulator layout,
    a row vector as two values per atom. `tile.dot` becomes
    `nvgpu.ldmatrix` + `nvgpu.mma.sync` (m16n8k16 for f16/bf16; for f32,
    m16n8k8 TF32 done three times, split into high and low parts, for f32
    accuracy). Row reductions finish with `gpu.shuffle xor` inside each
    quad. Shared buffers are carved from dynamic shared memory. Each
    `tile.launch` gets its grid, block and shared-memory size.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect"];
}

def AttnConvertTileToHost : Pass<"attn-convert-tile-to-host", "mlir::ModuleOp"> {
  let summary = "Run tile kernels on the CPU: sequential loops over the grid and every tile";
  let description = [{
    The host execution path (rungs 2-4 -> loops). Each tile kernel becomes a
    function that loops over its grid; every tile value becomes a buffer
    (memref) and every tile op a loop nest over its elements: `tile.dot`
    multiplies in f32, low-precision operands are extended exactly as the
    MMA does, `tile.mask` writes -inf, loads zero-fill past the bounds.
    GPU constructs of rung 4 map to sequential equivalents: a workgroup
    buffer is an ordinary buffer, `tile.async_copy` a plain copy, and
    commit / wait / barrier vanish. Rung 5 (warps, MMA) is GPU-only; the path
    stops before it. Kernels get `llvm.emit_c_interface` so a host program
    can call them through MLIR's execution engine; `tile.launch` is left in
    place as the launch plan.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

#endif // ATTN_CONVERSION_PASSES
