// RUN: attn-opt %s -split-input-file -attn-select-tiling=chip=sm_90a | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-select-tiling=chip=sm_90a | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-select-tiling="chip=sm_90a mma=sync" | FileCheck %s --check-prefix=SYNC
// RUN: attn-opt %s -split-input-file -attn-select-tiling="chip=sm_90a pipeline=unfused" | FileCheck %s --check-prefix=UNFUSED
// RUN: attn-opt %s -split-input-file -attn-select-tiling="chip=sm_90a num-warps=4 block-m=64 block-n=64 num-stages=3" | FileCheck %s --check-prefix=OPTS
// RUN: attn-opt %s -split-input-file | attn-opt -split-input-file | FileCheck %s --check-prefix=ROUND

// On sm_90a, mma=auto (the default) picks wgmma for the fused pipeline
// when the elements are f16 or bf16 and D is a multiple of 64 up to 256:
// two compute warpgroups (warps = 8: the producer warpgroup is not
// counted) over 128x128 tiles, 128x64 for D = 256; for D = 64 up to
// N = 4096 one compute warpgroup over 64x128 tiles (two programs share an
// SM). Anything else gets the mma.sync tiling, with `mma` not printed (sync
// is the default). The attribute round-trips.

// Past N = 4096, D = 64 keeps two compute warpgroups of 128 rows.
// CHECK-LABEL: func.func @bf16_d64_long
// CHECK:         tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 2, chip = "sm_90a", mma = wgmma>
func.func @bf16_d64_long(%q: tensor<1x2x4097x64xbf16>) -> tensor<1x2x4097x64xbf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x4097x64xbf16>, tensor<1x2x4097x64xbf16>, tensor<1x2x4097x64xbf16>
      -> tensor<1x2x4097x64xbf16>
  return %o : tensor<1x2x4097x64xbf16>
}

// -----

// CHECK-LABEL: func.func @bf16_d64
// CHECK:         tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma>
// SYNC-LABEL:  func.func @bf16_d64
// SYNC:          tiling = #attn.tiling<fused, block_m = 128, block_n = 64, warps = 4, stages = 2, chip = "sm_90a">
// UNFUSED-LABEL: func.func @bf16_d64
// UNFUSED:       tiling = #attn.tiling<unfused, block_m = 128, block_n = 64, warps = 8, stages = 2, chip = "sm_90a">
// OPTS-LABEL:  func.func @bf16_d64
// OPTS:          tiling = #attn.tiling<fused, block_m = 64, block_n = 64, warps = 4, stages = 3, chip = "sm_90a", mma = wgmma>
func.func @bf16_d64(%q: tensor<1x2x64x64xbf16>) -> tensor<1x2x64x64xbf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xbf16>, tensor<1x2x64x64xbf16>, tensor<1x2x64x64xbf16>
      -> tensor<1x2x64x64xbf16>
  return %o : tensor<1x2x64x64xbf16>
}

// -----

// CHECK-LABEL: func.func @f16_d128
// CHECK:         tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 2, chip = "sm_90a", mma = wgmma>
// SYNC-LABEL:  func.func @f16_d128
// SYNC:          tiling = #attn.tiling<fused, block_m = 128, block_n = 32, warps = 4, stages = 2, chip = "sm_90a">
// UNFUSED-LABEL: func.func @f16_d128
// UNFUSED-NOT:   mma =
// OPTS-LABEL:  func.func @f16_d128
// OPTS:          mma = wgmma
func.func @f16_d128(%q: tensor<1x2x64x128xf16>) -> tensor<1x2x64x128xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x128xf16>, tensor<1x2x64x128xf16>, tensor<1x2x64x128xf16>
      -> tensor<1x2x64x128xf16>
  return %o : tensor<1x2x64x128xf16>
}

// -----

// CHECK-LABEL: func.func @f16_d256
// CHECK:         tiling = #attn.tiling<fused, block_m = 128, block_n = 64, warps = 8, stages = 2, chip = "sm_90a", mma = wgmma>
// SYNC-LABEL:  func.func @f16_d256
// SYNC:          tiling = #attn.tiling<fused, block_m = 64, block_n = 32, warps = 4, stages = 2, chip = "sm_90a">
func.func @f16_d256(%q: tensor<1x2x64x256xf16>) -> tensor<1x2x64x256xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x256xf16>, tensor<1x2x64x256xf16>, tensor<1x2x64x256xf16>
      -> tensor<1x2x64x256xf16>
  return %o : tensor<1x2x64x256xf16>
}

// -----

// D = 80 is not a multiple of 64, f32 is not 16-bit: mma.sync.

// CHECK-LABEL: func.func @f16_d80
// CHECK:         tiling = #attn.tiling<fused, block_m = 128, block_n = 32, warps = 4, stages = 2, chip = "sm_90a">
// CHECK-NOT:     wgmma
// OPTS-LABEL:  func.func @f16_d80
// OPTS:          tiling = #attn.tiling<fused, block_m = 64, block_n = 64, warps = 4, stages = 3, chip = "sm_90a">
func.func @f16_d80(%q: tensor<1x2x64x80xf16>) -> tensor<1x2x64x80xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x80xf16>, tensor<1x2x64x80xf16>, tensor<1x2x64x80xf16>
      -> tensor<1x2x64x80xf16>
  return %o : tensor<1x2x64x80xf16>
}

// -----

// CHECK-LABEL: func.func @f32_d64
// CHECK:         tiling = #attn.tiling<fused, block_m = 64, block_n = 32, warps = 4, stages = 2, chip = "sm_90a">
// CHECK-NOT:     wgmma
func.func @f32_d64(%q: tensor<1x2x64x64xf32>) -> tensor<1x2x64x64xf32> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>
      -> tensor<1x2x64x64xf32>
  return %o : tensor<1x2x64x64xf32>
}

// -----

// A tiling written by hand round-trips: `mma = sync` is the default and
// is not printed back; `mma = wgmma` is. (attn-select-tiling chooses
// again, from the options.)

// ROUND-LABEL: func.func @given
// ROUND:         tiling = #attn.tiling<fused, block_m = 128, block_n = 64, warps = 4, stages = 2, chip = "sm_90a">}
// ROUND:         tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 3, chip = "sm_90a", mma = wgmma>}
// CHECK-LABEL: func.func @given
// CHECK:         tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma>}
// CHECK:         tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma>}
func.func @given(%q: tensor<1x2x64x64xf16>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  %o = attn.attention %q, %q, %q {tiling = #attn.tiling<fused, block_m = 128, block_n = 64, warps = 4, stages = 2, chip = "sm_90a", mma = sync>}
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  %p = attn.attention %q, %q, %q {tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 3, chip = "sm_90a", mma = wgmma>}
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o, %p : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}
