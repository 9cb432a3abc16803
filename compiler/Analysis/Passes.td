//===- Passes.td - analyses that print ------------------ -*- tablegen -*-===//
//
// Passes that leave the IR unchanged and report on it.
//
//===----------------------------------------------------------------------===//

#ifndef ATTN_ANALYSIS_PASSES
#define ATTN_ANALYSIS_PASSES

include "mlir/Pass/PassBase.td"

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

    Fused, with the op's tiling (#attn.tiling, as `attn-select-tiling` or a
    pipeline stopped at `stop-after=config` records it; without one, the
    pipeline's defaults): a program reads its BLOCK_M×d Q tile
    once and streams every K and V tile past it, so per head
      bytes = Q + O + ⌈N/BLOCK_M⌉·(K + V)
    (causal: each Q block reads K/V only up to its last row, rounded up to
    BLOCK_N). M, the on-chip bytes of a program's tiles, is the Q tile plus
    `stages` K and V tiles with 16-byte row padding (the kernel's shared
    memory). As BLOCK_M·d·e ≤ M, the K/V term 2N²d·e/BLOCK_M is the
    IO complexity Θ(N²d²/M) with constant 2e²·M/(BLOCK_M·d·e). The formula
    counts every K/V re-read as HBM traffic; a GPU's L2 serves many of them.
    FLOPs: 4d + 5 per (query row, key row) pair visited.

    Example: `attn-opt --attn-report-cost="gpu=a100 pipeline=unfused" f.mlir`
    (and `attn-opt f.mlir --attn-fused-pipeline="block-m=64 stop-after=config"
    --attn-report-cost` for another tiling)
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
           "Pipelines to report: fused, unfused or both">
  ];
}

#endif // ATTN_ANALYSIS_PASSES
