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
  let summary = "Lower attn.attention to one tiled kernel with an exact softmax, and its gradient to FlashAttention-2's kernels";
  let description = [{
    Rung 1 → 2. Each `attn.attention` becomes a `tile.launch` of a new kernel
    function over the grid (B·H, ⌈N/block_m⌉), tiled as the op's
    #attn.tiling says (set by `attn-select-tiling`; without one, the
    defaults for sm_90). A program loads its block_m×D tile of Q and makes
    two passes over block_n-wide K/V tiles: the first finds each row's
    maximum score, the second sums the exponentials and accumulates P·V.
    The division by the row sum happens once at the end. Scores are kept in
    the log2 domain (scale·log2 e folded in) so the exponentials are
    `math.exp2`. With `causal`, the loops stop at the last K/V tile that
    touches the diagonal. The kernel and its launch carry the #tile.config.

    Each `attn.attention_backward` becomes FlashAttention-2's backward with
    P still in memory: `attn_bwd_preprocess` (δ = rowsum(dO ∘ O), and dQ's
    f32 accumulator zeroed), `attn_bwd_probs` (P = exp(scale·Q·Kᵀ − lse),
    [B, H, N, N]), `attn_bwd_dkdv` (one program per block_n keys looping
    over block_m query rows: dV += Pᵀ·dO, dS = P ∘ (dO·Vᵀ − δ),
    dK += dSᵀ·Q, dQ += dS·K with `tile.atomic_add`) and
    `attn_bwd_dq_convert` (dQ = scale · accumulator). With `deterministic`,
    `attn_bwd_dq` computes dQ per query block instead, without atomics.
    `attn-recompute-probabilities` then removes P (rung 3).

    Before:
    ```mlir
    %o = attn.attention %q, %k, %v {tiling = #attn.tiling<fused, block_m = 128,
        block_n = 64, warps = 4, stages = 2, chip = "sm_90">} : ...
    ```
    After:
    ```mlir
    %o = tile.launch @attn_fwd(%q, %k, %v) names ["q", "k", "v", "o"]
        {config = #tile.config<grid = [2, 8, 1], warps = 4, block_m = 128,
                               block_n = 64, stages = 2, smem = 0,
                               chip = "sm_90">} : ...
    func.func private @attn_fwd(%q: memref<..>, ..., %o: memref<..>)
        attributes {tile.config = #tile.config<...>} { ... }
    ```
  }];
  let options = [
    Option<"deterministic", "deterministic", "bool", "false",
           "Backward: compute dQ in a kernel of its own over query blocks "
           "instead of adding into it with atomics (reproducible bit for "
           "bit, one more pass over K and V)">,
    Option<"testingSkipDelta", "testing-skip-delta", "bool", "false",
           "Testing only: leave the δ term out of the backward's dS, "
           "producing a wrong gradient (proves the numerical checks catch "
           "it)">
  ];
  let dependentDialects = ["::attn::tile::TileDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnTileUnfused : Pass<"attn-tile-unfused", "mlir::ModuleOp"> {
  let summary = "Lower attn.attention to three kernels: S = Q·Kᵀ, P = softmax(S), O = P·V, and its gradient to standard attention's";
  let description = [{
    Rung 1 → 2 for the unfused ("standard attention") pipeline, tiled as the
    op's #attn.tiling says (or the unfused defaults). S and P are full
    [B, H, N, N] tensors passed between three `tile.launch`es, so the
    runtime materializes them in device memory. S holds scale·Q·Kᵀ with
    masked entries set to -inf; the softmax kernel makes three passes over
    each row block (max, sum, normalize).

    Each `attn.attention_backward` becomes standard attention's backward,
    a kernel per step and every N×N matrix in memory: P = exp(scale·Q·Kᵀ −
    lse), dV = Pᵀ·dO, dP = dO·Vᵀ, δ = rowsum(P ∘ dP) (the softmax's
    backward), dS = P ∘ (dP − δ), dQ = scale·dS·K, dK = scale·dSᵀ·Q.

    Before: `%o = attn.attention %q, %k, %v : ...`
    After:
    ```mlir
    %s = tile.launch @attn_scores(%q, %k) names ["q", "k", "s"] {config = ...}
    %p = tile.launch @attn_softmax(%s) names ["s", "p"] {config = ...}
    %o = tile.launch @attn_pv(%p, %v) names ["p", "v", "o"] {config = ...}
    ```
  }];
  let dependentDialects = ["::attn::tile::TileDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnConvertTileToGPU : Pass<"attn-convert-tile-to-gpu", "mlir::ModuleOp"> {
  let summary = "Map tile kernels to warps and threads: gpu.func with nvgpu MMA";
  let description = [{
    Rung 4 (with layouts) → 5. Each tile kernel becomes a `gpu.func` in
    `gpu.module @attn_kernels`, sized by its #tile.config, whose body the
    conversion patterns of `compiler/Conversion/TileToGPU` rewrite: a tile
    becomes the pieces one thread holds of it, as its layout says (1:N type
    conversion); `tile.dot` on #tile.mma<sync> becomes `nvgpu.ldmatrix` +
    `nvgpu.mma.sync` (m16n8k16 for f16/bf16; for f32, m16n8k8 TF32 done
    three times on high and low parts, for f32 accuracy); row reductions end
    with `gpu.shuffle xor` inside each quad; shared buffers are views of the
    dynamic shared memory at their offsets. On sm_90a (#tile.mma<wgmma>),
    `tile.dot` becomes `wgmma.mma_async` with shared-memory descriptors (and
    inline PTX for an A operand in registers), TMA copies become
    `cp.async.bulk.tensor` completing on mbarriers, and
    `tile.warp_specialize` a branch on the warp index with `setmaxnreg` on
    each side. An op the patterns cannot lower is refused with the reason
    before anything is rewritten.

    A buffer of sizes or strides known only at run time becomes a pointer
    parameter and scalars (sizes i32, strides index), rebuilt into the
    memref at the kernel's entry with `memref.reinterpret_cast`; the
    launches name the scalars (`#tile.scalar_arg`). Loops count in i32 (a
    kernel's loops run over rows and keys, fewer than 2^31), which lets
    LLVM narrow the arithmetic on their counters when the bounds are known
    only at run time.

    Before:
    ```mlir
    func.func private @attn_fwd(...) attributes {tile.config = #tile.config<
        grid = [2, 8, 1], warps = 4, ...>} {
      %m = tile.reduce max %s : tensor<128x64xf32, #mma>
          -> tensor<128xf32, #tile.slice<dim = 1, #mma>>
    ```
    After:
    ```mlir
    gpu.module @attn_kernels {
      gpu.func @attn_fwd(...) kernel attributes {known_block_size =
          array<i32: 128, 1, 1>, ...} {
        %r = arith.maximumf %p0, %p1 : vector<2x2xf32>  // a thread's pieces
        %x = gpu.shuffle xor %v, %c1_i32, %c32_i32 : f32
    ```
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

def AttnFinalizeKernelParams
    : Pass<"attn-finalize-kernel-params", "mlir::gpu::GPUModuleOp"> {
  let summary = "Make tensor-map parameters by-value grid constants after GPU-to-NVVM";
  let description = [{
    Rung 5 (NVVM) → 5. What a `gpu.func` cannot say and upstream's
    GPU-to-NVVM conversion does not carry over: each kernel parameter that
    `tile.tensor_map_params` lists becomes a 128-byte CUtensorMap passed by
    value, 64-byte aligned, as a `nvvm.grid_constant` (TMA reads it from the
    parameter space; a copy in local memory would not do), and the dynamic
    shared memory of a module with such kernels is aligned to 1024 bytes, the
    period of the 128-byte swizzle that TMA and wgmma assume of every
    buffer. Runs on `llvm.func` kernels, before translation to LLVM IR.

    Before: `llvm.func @attn_fwd(..., %arg5: !llvm.ptr) attributes
             {tile.tensor_map_params = array<i32: 5>, ...}`
    After:  `llvm.func @attn_fwd(..., %arg5: !llvm.ptr {llvm.align = 64 : i64,
             llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})`
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

def AttnConvertTileToHost : Pass<"attn-convert-tile-to-host", "mlir::ModuleOp"> {
  let summary = "Run tile kernels on the CPU: sequential loops over the grid and every tile";
  let description = [{
    The host execution path (rungs 2-4, with or without layouts -> loops).
    Each kernel's body is wrapped in one loop per grid dimension; then
    conversion patterns (compiler/Conversion/TileToHost) turn every tile
    into a buffer (memref) of its shape and every tile op into a loop nest
    writing a buffer of its own: `tile.dot` multiplies in f32, low-precision
    operands extended exactly as the MMA does, `tile.mask` writes -inf,
    loads zero-fill past the bounds. Loops carrying tiles copy them at their
    boundaries (value semantics). Rung 4's GPU constructs get sequential
    equivalents: a shared buffer is an ordinary buffer, `tile.async_copy` a
    plain copy, commit / wait / barrier vanish, a layout conversion keeps
    the values. Rung 5 (warps, MMA) is GPU-only; the path stops before it.
    Kernels become public functions with `llvm.emit_c_interface`, callable
    through MLIR's execution engine; `tile.launch` stays as the launch plan.
    A grid size known only at run time (`?` in the #tile.config) becomes an
    index argument appended to the kernel's (x, y, z order), which the
    caller passes after the buffers; buffers of run-time sizes and strides
    are memref descriptors that carry them.

    Before:
    ```mlir
    func.func private @attn_fwd(%q: memref<1x2x40x16xf16>, ...)
        attributes {tile.config = #tile.config<grid = [2, 1, 1], ...>} {
      %b = tile.program_id 0
      %t = tile.load %q[...] : memref<1x2x40x16xf16> -> tensor<128x16xf16>
    ```
    After:
    ```mlir
    func.func @attn_fwd(%q: memref<1x2x40x16xf16>, ...)
        attributes {llvm.emit_c_interface} {
      %t = memref.alloc() : memref<128x16xf16>
      scf.for %b = %c0 to %c2 step %c1 {       // the grid
        ...
          scf.for %r = %c0 to %c128 step %c1 {  // the tile
            scf.for %c = %c0 to %c16 step %c1 {
              %x = scf.if %inside -> f16 { memref.load %q[...] } else { 0.0 }
              memref.store %x, %t[%r, %c]
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

#endif // ATTN_CONVERSION_PASSES
