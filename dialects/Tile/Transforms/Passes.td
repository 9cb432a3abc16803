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
    : Pass<"attn-fuse-online-softmax", "mlir::ModuleOp"> {
  let summary = "Fuse the max pass and the sum/accumulate pass into one online-softmax loop";
  let description = [{
    Rung 2 → 3. Finds a loop that only computes a running row maximum `m`
    of some scores `x`, followed by a loop over the same range that uses
    `m` only as `exp2(x - broadcast(m))`. The two become one loop carrying
    `m`: each step computes `m_new = max(m_old, rowmax(x))` and
    `alpha = exp2(m_old - m_new)`, and every loop-carried sum of the second
    loop (`l + rowsum(p)`, `acc + p·V`) is rescaled by `alpha` first.

    Before:
    ```mlir
    %m = scf.for %j = %c0 to %end step %c64 iter_args(%mi = %neginf) {
      %x = <scores of tile j>
      %r = tile.reduce max %x
      %mn = arith.maximumf %mi, %r
      scf.yield %mn }
    %l, %acc = scf.for %j = %c0 to %end step %c64 iter_args(%li = %zero, %ai = %zero2) {
      %x = <scores of tile j>
      %p = math.exp2 (%x - tile.broadcast %m)
      scf.yield %li + tile.reduce sum %p, tile.dot %p, %v, %ai }
    ```
    After:
    ```mlir
    %m, %l, %acc = scf.for %j = %c0 to %end step %c64
        iter_args(%mi = %neginf, %li = %zero, %ai = %zero2) {
      %x = <scores of tile j>
      %mn = arith.maximumf %mi, (tile.reduce max %x)
      %alpha = math.exp2 (%mi - %mn)
      %p = math.exp2 (%x - tile.broadcast %mn)
      scf.yield %mn, %li * %alpha + tile.reduce sum %p,
                tile.dot %p, %v, (%ai * tile.broadcast %alpha) }
    ```
  }];
  let options = [
    Option<"skipRescale", "testing-skip-rescale", "bool", "false",
           "Testing only: omit the alpha rescale, producing a wrong kernel "
           "(proves the numerical checks catch it)">
  ];
}

def AttnRecomputeProbabilities
    : Pass<"attn-recompute-probabilities", "mlir::ModuleOp"> {
  let summary = "Recompute the backward's probabilities on chip instead of reading them from memory";
  let description = [{
    Rung 2 → 3 of the fused backward: FlashAttention's recomputation. A
    launch writes P (the buffer named `p`: standard attention's saved
    probabilities, [B, H, N, N]) one tile per program, each tile a function
    of the indices it is stored at and of the kernel's inputs (Q, K and the
    logsumexp). Every `tile.load` of P in a later kernel becomes a copy of
    that computation at the load's indices: S = Q·Kᵀ·scale, masked, and
    P = exp(S − lse), on chip. Uses of the loaded tile widened back to f32
    take the f32 value from before its rounding. A load used transposed
    (`tile.transpose`, the backward's Pᵀ) gets the computation done
    transposed: Sᵀ = K·Qᵀ·scale, the mask `transposed`, the logsumexp
    broadcast down the rows (SinkTranspose.h). The inputs the computation
    reads are added to the consuming kernel and its launch where missing;
    its `p` argument, the launch that wrote P and that kernel go. The N×N
    buffer is gone: the backward's extra memory is O(N) (δ) plus dQ's
    accumulator.

    Refused with a diagnostic: a P tile that depends on anything but its
    indices and the producer's inputs (a program id, a loop), a consumer
    that reads P other than by loads of the stored tile's shape, a kernel
    launched more than once. A module with no `p` is left as it is.

    Before:
    ```mlir
    %p = tile.launch @attn_bwd_probs(%q, %k, %lse) names ["q", "k", "lse", "p"]
    ... tile.launch @attn_bwd_dkdv(%q, %k, %v, %do, %delta, %p, ...)
    func.func private @attn_bwd_dkdv(...) {
      %pt = tile.load %arg5[%b, %h, %i, %j] : memref<1x2x40x40xf16> -> tensor<64x64xf16>
    ```
    After:
    ```mlir
    ... tile.launch @attn_bwd_dkdv(%q, %k, %v, %do, %delta, ..., %lse)
    func.func private @attn_bwd_dkdv(...) {
      %s = tile.dot %qt, %kt transpose_rhs ...
      %x = tile.mask %s'[%i, %j] cols 40 causal ...
      %pf = math.exp2 (%x - tile.broadcast %lse2) : tensor<64x64xf32>
      %pt = arith.truncf %pf : tensor<64x64xf32> to tensor<64x64xf16>
    ```
  }];
}

def AttnFoldScoreScale : Pass<"attn-fold-score-scale", "mlir::ModuleOp"> {
  let summary = "Take the row maximum of unscaled scores and scale inside the exponent's FMA";
  let description = [{
    Rung 3 → 3. Scores scaled by a positive constant before their row
    maximum and their `x - max` (the softmax's exponent) are masked and
    reduced unscaled instead: the row maximum is scaled once per row, and
    the element-wise multiply joins the subtract as one fused multiply-add
    (both marked `fastmath<contract>`). One multiply per score less; the
    same softmax. Scaled scores that are only subtracted from (the fused
    backward's `S·c − lse`) get the masked raw product and the fused
    multiply-add alone.

    Before:
    ```mlir
    %x = arith.mulf %s, %c : tensor<128x64xf32>
    %r = tile.reduce max %x : tensor<128x64xf32> -> tensor<128xf32>
    %t = arith.subf %x, %b : tensor<128x64xf32>
    ```
    After:
    ```mlir
    %r0 = tile.reduce max %s : tensor<128x64xf32> -> tensor<128xf32>
    %r = arith.mulf %r0, %c_row : tensor<128xf32>
    %x = arith.mulf %s, %c fastmath<contract> : tensor<128x64xf32>
    %t = arith.subf %x, %b fastmath<contract> : tensor<128x64xf32>
    ```
  }];
}

def AttnFoldProductBias : Pass<"attn-fold-product-bias", "mlir::ModuleOp"> {
  let summary = "Start a product's accumulator at the negated vector subtracted from it";
  let description = [{
    Rung 3 → 3. A product with no accumulator whose only use subtracts a
    broadcast vector from it (the fused backward's `dPᵀ − δ`) starts its
    accumulator at the broadcast of the negated vector instead: the same
    sum, one subtract per element less, and the vector's registers free
    from the product's start instead of live until it ends. Products with
    an accumulator or another use, subtractions of anything but a
    broadcast, and vectors defined after the product are left alone.

    Before:
    ```mlir
    %d = tile.dot %a, %b transpose_rhs : ... -> tensor<128x128xf32>
    %b = tile.broadcast %delta dim 0 : tensor<128xf32> -> tensor<128x128xf32>
    %t = arith.subf %d, %b : tensor<128x128xf32>
    ```
    After:
    ```mlir
    %n = arith.negf %delta : tensor<128xf32>
    %z = tile.broadcast %n dim 0 : tensor<128xf32> -> tensor<128x128xf32>
    %t = tile.dot %a, %b, %z transpose_rhs : ..., tensor<128x128xf32> -> tensor<128x128xf32>
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def AttnPromoteShared : Pass<"attn-promote-shared", "mlir::ModuleOp"> {
  let summary = "Stage tile.dot operands in shared memory with multi-buffered async copies";
  let description = [{
    Rung 3 → 4. In every tile kernel, each `tile.load` that feeds a
    `tile.dot` becomes a copy into a padded shared-memory buffer
    (`tile.alloc_shared` of a `!tile.buffer` with `#tile.shared<pad>`: rows
    padded by 16 bytes so ldmatrix's rows fall in distinct banks) and a
    `tile.local_load` of the slot. Loads inside an `scf.for` are
    software-pipelined as deep as the kernel's #tile.config `stages`: a
    prologue starts the first stages−1 tiles and each iteration waits for
    its tile, then starts the tile stages−1 ahead.

    Before:
    ```mlir
    %k = tile.load %key[%b, %h, %j, %c0] : memref<..> -> tensor<64x64xf16>
    %s = tile.dot %q, %k transpose_rhs : ...
    ```
    After (stages = 2):
    ```mlir
    %kbuf = tile.alloc_shared : !tile.buffer<2x64x64xf16, #tile.shared<pad = 8>>
    ...
    tile.async_wait 0
    tile.barrier
    tile.async_copy %key[%b, %h, %next, %c0], %kbuf[%nextSlot] : ...
    tile.async_commit
    %k = tile.local_load %kbuf[%slot] : !tile.buffer<...>
        -> tensor<64x64xf16, #tile.shared<pad = 8>>
    ```
  }];
  let dependentDialects = ["::attn::tile::TileDialect"];
}

def AttnPromoteTma : Pass<"attn-promote-tma", "mlir::ModuleOp"> {
  let summary = "Stage tile.dot operands in swizzled shared memory with TMA copies and barriers";
  let description = [{
    Rung 3 → 4 for kernels whose #tile.config has `mma = wgmma` (others are
    left to `attn-promote-shared`). Each `tile.load` that feeds a `tile.dot`
    becomes a TMA copy (`tile.tma_load`) into a buffer with the 128-byte
    swizzle that wgmma reads (`#tile.shared<swizzle = 128>`) and a
    `tile.local_load` of the slot. Copies complete on `copy` barriers; in a
    loop, `stages` slots rotate, each guarded by a `release` barrier that the
    compute warps arrive on after the tile's last use and that a copy waits
    on before refilling the slot. The copies read tensor maps: the kernel
    gains a `!tile.tensor_map` parameter per source and box after its
    buffers, and its launches name them (`tensor_maps`). Read as one program
    the result is correct but serial; `attn-warp-specialize` overlaps it.

    A vector loaded each step of such a loop (the backward's logsumexp and
    δ) is staged the same way when its rows are whole vectors of a multiple
    of 16 bytes and its start a multiple of its length: a bulk copy
    (`tile.bulk_load`, no tensor map) into a one-row slot, and the wait, the
    read into registers (`tile.local_load` of a vector) and the release
    where the vector is first needed, after the element-wise ops that only
    pass it on, which move there too. Its registers are then live only
    around its use, not for the whole step.

    Before:
    ```mlir
    %k = tile.load %key[%b, %h, %j, %c0] : memref<..> -> tensor<128x128xbf16>
    %s = tile.dot %q, %k transpose_rhs : ...
    ```
    After (stages = 2):
    ```mlir
    tile.mbarrier_wait %kempty[%slot], %freeParity : !tile.mbarrier<2>
    tile.tma_load %kmap[%bh, %j, %c0], %kbuf[%slot], %kfull : ...
    tile.mbarrier_wait %kfull[%slot], %parity : !tile.mbarrier<2>
    %k = tile.local_load %kbuf[%slot] : !tile.buffer<2x128x128xbf16,
        #tile.shared<swizzle = 128>> -> tensor<128x128xbf16, #tile.shared<swizzle = 128>>
    %s = tile.dot %q, %k transpose_rhs : ...
    tile.mbarrier_arrive %kempty[%slot] : !tile.mbarrier<2>
    ```
  }];
  let dependentDialects = ["::attn::tile::TileDialect"];
}

def AttnWarpSpecialize : Pass<"attn-warp-specialize", "mlir::ModuleOp"> {
  let summary = "Give the TMA copies to a producer warpgroup, the rest to the compute warps";
  let description = [{
    Rung 4 → 4 for kernels whose #tile.config has producer warps. After the
    allocations, the kernel's body becomes a `tile.warp_specialize`: its
    `producer` region holds the TMA copies, the waits for free slots, the
    loops and branches around them and the index arithmetic they need
    (reads of arguments the kernel never writes, such as a packed batch's
    sequence offsets, and loops of such ops included); its `compute`
    region holds everything else. With `stages` slots the
    producer runs up to that many tiles ahead. The register budgets
    (setmaxnreg) default to 24 for producers and what the launch's register
    file leaves for the compute warps (240 with 2 compute warpgroups);
    counts that do not fit the file are refused, since setmaxnreg would
    then wait forever.

    After:
    ```mlir
    tile.warp_specialize {compute_registers = 240 : i64,
                          producer_registers = 24 : i64} producer {
      tile.tma_load %qmap[...], %qbuf[%c0], %qfull : ...
      scf.for %j = %c0 to %end step %c128 {
        tile.mbarrier_wait %kempty[%slot], %freeParity : !tile.mbarrier<2>
        tile.tma_load %kmap[...], %kbuf[%slot], %kfull : ...
        ...
      }
    } compute {
      tile.mbarrier_wait %qfull[%c0], %c0 : !tile.mbarrier<1>
      ...
    }
    ```
  }];
  let options = [
    Option<"producerRegisters", "producer-registers", "int64_t", "0",
           "Registers per producer thread (0: 24)">,
    Option<"computeRegisters", "compute-registers", "int64_t", "0",
           "Registers per compute thread (0: what the launch leaves)">
  ];
  let dependentDialects = ["::attn::tile::TileDialect"];
}

def AttnAsyncProducts : Pass<"attn-async-products", "mlir::ModuleOp"> {
  let summary = "Start each wgmma product early and wait for it where its result is used";
  let description = [{
    Rung 4 → 4 for #tile.mma<wgmma> kernels, after `attn-assign-layouts`.
    In a loop whose products are all synchronous (the backward's five),
    each product moves up past pure ops, global loads, slot waits and other
    products to just after its operands, becomes `tile.dot ... async`, and
    gets a `tile.dot_wait` before its first user (or before the barrier
    ahead of a store into a shared buffer it reads), with `pending` the
    products started in between (wgmma groups complete in order) and its
    register A operand kept alive. Slot releases move after the first wait
    that finishes every product started before them. The backward's
    dPᵀ = V·dOᵀ then runs under P's exponentials, dV += Pᵀ·dO under dSᵀ's
    arithmetic, dK += dSᵀ·Q under dSᵀ's trip through shared memory. Loops
    with an asynchronous product (attn-overlap-softmax's), or where no
    result waits for other work, are left alone. Off by default
    (`async-products`): on the H100 it bought nothing at D = 128 and cost
    18-27 % at D = 64, whose registers then spill.

    After:
    ```mlir
    scf.for ... {
      %st = tile.dot %k, %q transpose_rhs async : ...
      %dpt = tile.dot %v, %do transpose_rhs async : ...
      %s = tile.dot_wait %st pending = 1 : tensor<128x64xf32, #mma>
      ... Pᵀ ...
      %dv = tile.dot %pt, %do, %dv0 async : ...
      %dp = tile.dot_wait %dpt pending = 1 : tensor<128x64xf32, #mma>
      ...
    }
    ```
  }];
}

def AttnOverlapSoftmax : Pass<"attn-overlap-softmax", "mlir::ModuleOp"> {
  let summary = "Run each step's softmax while the previous step's P·V product runs (wgmma)";
  let description = [{
    Rung 4 → 4 for #tile.mma<wgmma> kernels, after `attn-assign-layouts`
    (FlashAttention-3's intra-warpgroup overlap). In a loop whose last
    product accumulates into a loop-carried value (`O = C(O) + P·V`, C the
    online-softmax rescale), that product moves to the next step: each step
    starts `Q·Kᵀ` and the previous step's `P·V` as asynchronous products
    (`tile.dot ... async`), waits for the first only (`tile.dot_wait ...
    pending = 1`), computes its softmax while `P·V` still runs, then waits
    for it, releases V's slot and rescales. A peeled first step and a last
    `P·V` after the loop complete it; the loop carries P and V's slot. The
    result is the same sum; loops it cannot rotate get a remark saying why.

    After:
    ```mlir
    %r:5 = scf.for %j = %c128 to %end step %c128 iter_args(..., %o = %o0,
        %p = %p0, %vslot = %slot0) -> (...) {
      %s0 = tile.dot %q, %k transpose_rhs async : ...
      %pv = tile.dot %p, %v, %o async : ...
      %s = tile.dot_wait %s0 pending = 1 : tensor<128x128xf32, #mma>
      ... softmax of %s ...
      %done:2 = tile.dot_wait %pv, %p pending = 0 : ...
      tile.mbarrier_arrive %vempty[%vslot] : !tile.mbarrier<2>
      %o2 = arith.mulf %done#0, %alpha : tensor<128x128xf32, #mma>
      scf.yield ..., %o2, %pnext, %slot : ...
    }
    ```
  }];
  let dependentDialects = ["::attn::tile::TileDialect"];
}

def AttnPingPong : Pass<"attn-pingpong", "mlir::ModuleOp"> {
  let summary = "Make the compute warpgroups take turns at starting their products";
  let description = [{
    Rung 4 → 4 for wgmma kernels with two or more compute warpgroups, after
    `attn-overlap-softmax` (FlashAttention-3's ping-pong). In each loop of
    the compute region, the burst of asynchronous products a step starts is
    bracketed by `tile.mma_turn_wait` and `tile.mma_turn_pass`, and
    `tile.mma_turn_start` hands the first turn to warpgroup 0: the
    warpgroups start their products in turn, so one's products run while
    the other computes its softmax. On the GPU a turn is a named barrier per
    warpgroup (`bar.sync` own, `bar.arrive` next).
  }];
  let dependentDialects = ["::attn::tile::TileDialect"];
}

def AttnPeelMaskedSteps : Pass<"attn-peel-masked-steps", "mlir::ModuleOp"> {
  let summary = "Split a loop where its steps start to need a mask: no mask before, no branch after";
  let description = [{
    Rung 3 or 4 → same rung; the fused pipeline runs it last before the GPU
    lowering. In a loop whose steps mask their scores (`tile.mask` at the
    loop's induction variable, the same row offset in every step), only
    the steps whose tile crosses the causal diagonal or the last key need
    the mask, and they come last. The loop is split at the first such step,
    computed from the bounds, the row offset and the mask's columns: the
    first loop has no mask, the second's masks are `unconditional`, so
    neither branches per step. Both carry the same values over a part of
    the same steps; the result is unchanged. With constant bounds a loop
    that needs no mask, or a mask in every step, stays one loop. A loop
    whose masks do not fit (a column offset other than the induction
    variable, a row offset that varies, masks that differ) gets a remark
    saying why. A loop that carries more than `max-carried-registers`
    32-bit registers per compute thread in tiles stays whole, silently: two
    copies of it leave ptxas too few (at head dim 256 the peeled kernel
    spilled 156 B).

    After:
    ```mlir
    %split = <first step whose tile crosses min(N, row0 + 1)>
    %a:3 = scf.for %j = %c0 to %split step %c128 iter_args(...) {
      ... %s (no mask) ...
    }
    %r:3 = scf.for %j = %split to %end step %c128 iter_args(%a#0, %a#1, %a#2) {
      %m = tile.mask %s[%row0, %j] cols 1000 causal unconditional : ...
    }
    ```
  }];
  let options = [
    Option<"maxCarriedRegisters", "max-carried-registers", "int64_t", "128",
           "Leave alone loops whose carried tiles take more 32-bit "
           "registers per compute thread than this">,
    Option<"onlyRunTimeSizes", "only-run-time-sizes", "bool", "false",
           "Split only loops whose masks end at a column count known at run "
           "time (the fused pipeline's default: there the per-step branch "
           "costs, while with static sizes splitting measured -3% to +6%)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def AttnAssignLayouts : Pass<"attn-assign-layouts", "mlir::ModuleOp"> {
  let summary = "Give every tile a layout: how it is spread over threads or where it sits";
  let description = [{
    Rung 4 → 4 with layouts. Sets the encoding of every tile tensor of every
    kernel, for the MMA family of the kernel's chip (#tile.mma<sync> with
    the kernel's warps): matrix-product results, loads, masks and
    element-wise math get #tile.mma, row vectors #tile.slice<dim = 1>, tiles
    in shared memory keep their #tile.shared. Where a value must change
    layout, an explicit `tile.convert_layout` appears: an accumulator
    feeding a product as its A operand (#tile.mma -> #tile.operand<a>, free)
    and a shared-memory tile used by anything but a product (#tile.shared ->
    #tile.mma, read back into registers).

    Before:
    ```mlir
    %s = tile.dot %q, %k transpose_rhs : tensor<128x64xf16, #tile.shared<pad = 8>>,
        tensor<64x64xf16, #tile.shared<pad = 8>> -> tensor<128x64xf32>
    %m = tile.reduce max %s : tensor<128x64xf32> -> tensor<128xf32>
    ```
    After:
    ```mlir
    %s = tile.dot %q, %k transpose_rhs : ... -> tensor<128x64xf32, #mma>
    %m = tile.reduce max %s : tensor<128x64xf32, #mma>
        -> tensor<128xf32, #tile.slice<dim = 1, #mma>>
    ```
    with `#mma = #tile.mma<sync, warps = 4>`.
  }];
  let dependentDialects = ["::attn::tile::TileDialect"];
}

def AttnAllocateShared : Pass<"attn-allocate-shared", "mlir::ModuleOp"> {
  let summary = "Place every shared buffer in the kernel's dynamic shared memory";
  let description = [{
    Gives each `tile.alloc_shared` of a kernel its byte `offset` (buffers one
    after another, each aligned as its layout needs: 128 bytes, 1024 for a
    128-byte swizzle) and records the total as `smem` in the kernel's
    #tile.config and its launches'. Refuses a kernel that needs more shared
    memory than its chip allows per block, naming the options that size it.

    Before: `%kbuf = tile.alloc_shared : !tile.buffer<2x64x64xf16, #tile.shared<pad = 8>>`
    After:  `%kbuf = tile.alloc_shared {offset = 18432 : i64} : ...` and
            `smem = 55296` in the #tile.config.
  }];
}

#endif // ATTN_DIALECT_TILE_TRANSFORMS_PASSES
