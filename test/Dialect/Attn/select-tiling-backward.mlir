// RUN: attn-opt %s -attn-select-tiling | FileCheck %s
// RUN: attn-opt %s -attn-select-tiling="pipeline=unfused" | FileCheck %s --check-prefix=UNFUSED
// RUN: attn-opt %s -attn-select-tiling="chip=sm_90a" | FileCheck %s --check-prefix=WGMMA
// RUN: attn-opt %s -attn-select-tiling="chip=sm_90a mma=sync" | FileCheck %s
// RUN: not attn-opt %s -attn-select-tiling="block-n=64" 2>&1 | FileCheck %s --check-prefix=BLOCKN
// RUN: attn-opt %s -attn-select-tiling="chip=sm_90a mma=wgmma" | FileCheck %s --check-prefix=WGMMA
// RUN: not attn-opt %s -attn-select-tiling="chip=sm_90a mma=wgmma block-m=32 num-warps=4" 2>&1 | FileCheck %s --check-prefix=WGMMA-M
// RUN: attn-opt %s -attn-select-tiling="chip=sm_90a block-m=32 num-warps=4" | FileCheck %s --check-prefix=AUTO-SYNC

// attn.attention_backward gets a tiling too: the fused backward's own
// defaults (D = 64, bf16/f16: block-n 128 keys per program, block-m 128
// query rows per step, 8 warps; wgmma on sm_90a, where D <= 128), the
// unfused pipeline's as for the forward. A wgmma backward's block-m is a
// multiple of 64 (dSᵀ's swizzled column blocks) and its block-n of 64 keys
// per warpgroup; mma=auto falls back to mma.sync for a tiling that is not
// (block-m 32 on 4 warps below).

// CHECK: attn.attention_backward {{.*}} {tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 2, chip = "sm_90{{a?}}">}
// UNFUSED: attn.attention_backward {{.*}} {tiling = #attn.tiling<unfused, block_m = 128, block_n = 64, warps = 8, stages = 2, chip = "sm_90">}
// BLOCKN: error: block-n 64 must be a multiple of 16 x num-warps (128) for the backward, whose programs own block-n keys
// WGMMA: attn.attention_backward {{.*}} {tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 2, chip = "sm_90a", mma = wgmma>}
// AUTO-SYNC: attn.attention_backward {{.*}} {tiling = #attn.tiling<fused, block_m = 32, block_n = 128, warps = 4, stages = 2, chip = "sm_90a">}
// WGMMA-M: error: mma=wgmma backward: block-m 32 must be a multiple of 64 and block-n 128 of 64 (64 keys per warpgroup), and block-m or the head dimension (64), dQ's rows, of 64
func.func @grad(%do: tensor<1x2x100x64xf16>, %q: tensor<1x2x100x64xf16>, %k: tensor<1x2x100x64xf16>, %v: tensor<1x2x100x64xf16>, %o: tensor<1x2x100x64xf16>, %lse: tensor<1x2x100xf32>) -> (tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100xf32> -> tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
  return %dq, %dk, %dv : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
}
