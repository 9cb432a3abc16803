//===- Passes.td - attn compiler passes --------------------*- tablegen -*-===//
//
// One pass, one job. Each runs alone from attn-opt; the two pipelines in
// Pipelines.cpp chain them.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_COMPILER_PASSES
#define ATTN_COMPILER_PASSES

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

def AttnReportCost : Pass<"attn-report-cost", "mlir::ModuleOp"> {
  let summary = "Print FLOPs, device-memory traffic and roofline time of every attn.attention";
  let description = [{
    An analysis on rung 1: leaves the IR unchanged and prints to stdout, for
    each `attn.attention` and each chosen pipeline, a table with one row per
    kernel and a total: FLOPs, bytes read from and written to device memory
    (HBM), intermediates kept there, arithmetic intensity (FLOP/B), the
    binding bound (memory or compute) and the roofline time
    max(FLOPs / peak, bytes / bandwidth) on a GPU model: `a100` (312 TFLOP/s
    fp16 tensor, 2.0 TB/s), `h100` (990 TFLOP/s, 3.35 TB/s) or `custom`
    (give `peak-tflops=` and `bandwidth-tbps=`; either also overrides a
    built-in model). A header gives the problem, the GPU's balance point
    (peak / bandwidth: 156 FLOP/B on a100, 296 on h100) and the memory of
    Q+K+V+O next to the unfused pipeline's S+P and S+P's share of the two
    together. Sizes are in binary units (KB = 1024 B), rates in decimal.

    Accounting (compiler/CostModel.h; chosen so the textbook figures come
    out exactly). Each tensor a kernel touches is read or written once in
    its element type (e bytes). Matrix products count 2 FLOPs per
    multiply-add, the softmax 5 per score (max, subtract, exp, sum, divide).
    Unfused, per head: S = Q·Kᵀ does 2N²d FLOPs over 2Nd·e + N²·e bytes
    (≈ d FLOP/B for N ≫ d in fp16), P = softmax(S) 5N² over N²·e read +
    N²·e written (1.25 FLOP/B in fp16), O = P·V 2N²d over N²·e + 2Nd·e
    (≈ d); every one is memory-bound on both models. S and P stay allocated
    for the whole pipeline: 2·B·H·N²·e bytes (4·H·N² per batch element in
    fp16). Causal unfused kernels still compute all N² scores.

    Fused, with the tile sizes the fused pipeline chooses (chooseFusedConfig,
    or `block-m`/`block-n`/`num-warps`): a program reads its BLOCK_M×d Q tile
    once and streams every K and V tile past it, so per head
      bytes = Q + O + ⌈N/BLOCK_M⌉·(K + V)
    (causal: each Q block reads K/V only up to its last row, rounded up to
    BLOCK_N). M, the on-chip bytes of a program's tiles, is the Q tile plus
    `num-stages` K and V tiles with 16-byte row padding (the kernel's shared
    memory). As BLOCK_M·d·e ≤ M, the K/V term 2N²d·e/BLOCK_M is the
    IO complexity Θ(N²d²/M) with constant 2e²·M/(BLOCK_M·d·e). The formula
    counts every K/V re-read as HBM traffic; a GPU's L2 serves many of them.
    FLOPs: 4d + 5 per (query row, key row) pair visited.

    Example: `attn-opt --attn-report-cost="gpu=a100 pipeline=unfused" f.mlir`
    on B=H=1, N=262144, D=64, f16 prints (columns: FLOPs, read, written,
    intermediates, FLOP/B, bound, time)
      attn_scores   8.8 TFLOP   64 MB  128 GB  128 GB  64.0  memory  68.8 ms
      attn_softmax  344 GFLOP  128 GB  128 GB  256 GB  1.25  memory   137 ms
      attn_pv       8.8 TFLOP  128 GB   32 MB  128 GB  64.0  memory  68.8 ms
  }];
  let options = [
    Option<"gpuName", "gpu", "std::string", "\"h100\"",
           "GPU model: a100, h100 or custom">,
    Option<"peakTflops", "peak-tflops", "double", "0.0",
           "Peak matrix rate in TFLOP/s (0: the model's)">,
    Option<"bandwidthTbps", "bandwidth-tbps", "double", "0.0",
           "Device-memory bandwidth in TB/s (0: the model's)">,
    Option<"pipeline", "pipeline", "std::string", "\"both\"",
           "Pipelines to report: fused, unfused or both">,
    Option<"blockM", "block-m", "int64_t", "0",
           "Rows per program (0: the pipeline's choice)">,
    Option<"blockN", "block-n", "int64_t", "0",
           "Columns per step (0: the pipeline's choice)">,
    Option<"numWarps", "num-warps", "int64_t", "0",
           "Warps per program (0: the pipeline's choice)">,
    Option<"numStages", "num-stages", "int64_t", "2",
           "Shared-memory buffers per K/V tile (fused; sets M)">
  ];
}

#endif // ATTN_COMPILER_PASSES
