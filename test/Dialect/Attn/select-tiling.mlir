// RUN: attn-opt %s -split-input-file -attn-select-tiling | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-select-tiling="pipeline=unfused" | FileCheck %s --check-prefix=UNFUSED
// RUN: attn-opt %s -split-input-file -attn-select-tiling="block-m=64 block-n=128 num-warps=2 num-stages=3 chip=sm_80" | FileCheck %s --check-prefix=OPTS
// RUN: attn-opt %s -split-input-file -attn-select-tiling | attn-opt -split-input-file | FileCheck %s

// The tiling is recorded on the op: the defaults tuned per head dimension
// and element type (fused: 128x64 tiles over 4 warps for D <= 64, 128x32
// for D = 128, 64x32 for f32 and D > 128; unfused: 128x64 over 8 warps),
// or what the options ask for. The attribute round-trips.

// CHECK-LABEL: func.func @f16_d64
// CHECK:         attn.attention {{.*}} {tiling = #attn.tiling<fused, block_m = 128, block_n = 64, warps = 4, stages = 2, chip = "sm_90">}
// UNFUSED-LABEL: func.func @f16_d64
// UNFUSED:         tiling = #attn.tiling<unfused, block_m = 128, block_n = 64, warps = 8, stages = 2, chip = "sm_90">
// OPTS-LABEL: func.func @f16_d64
// OPTS:         tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 2, stages = 3, chip = "sm_80">
func.func @f16_d64(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// CHECK-LABEL: func.func @bf16_d128
// CHECK:         tiling = #attn.tiling<fused, block_m = 128, block_n = 32, warps = 4, stages = 2, chip = "sm_90">
func.func @bf16_d128(%q: tensor<1x2x64x128xbf16>) -> tensor<1x2x64x128xbf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x128xbf16>, tensor<1x2x64x128xbf16>, tensor<1x2x64x128xbf16>
      -> tensor<1x2x64x128xbf16>
  return %o : tensor<1x2x64x128xbf16>
}

// -----

// CHECK-LABEL: func.func @f32_d64
// CHECK:         tiling = #attn.tiling<fused, block_m = 64, block_n = 32, warps = 4, stages = 2, chip = "sm_90">
func.func @f32_d64(%q: tensor<1x2x64x64xf32>) -> tensor<1x2x64x64xf32> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>
      -> tensor<1x2x64x64xf32>
  return %o : tensor<1x2x64x64xf32>
}

// -----

// CHECK-LABEL: func.func @bf16_d256
// CHECK:         tiling = #attn.tiling<fused, block_m = 64, block_n = 32, warps = 4, stages = 2, chip = "sm_90">
// UNFUSED-LABEL: func.func @bf16_d256
// UNFUSED:         tiling = #attn.tiling<unfused, block_m = 64, block_n = 64, warps = 4, stages = 2, chip = "sm_90">
func.func @bf16_d256(%q: tensor<1x2x64x256xbf16>) -> tensor<1x2x64x256xbf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x256xbf16>, tensor<1x2x64x256xbf16>, tensor<1x2x64x256xbf16>
      -> tensor<1x2x64x256xbf16>
  return %o : tensor<1x2x64x256xbf16>
}
