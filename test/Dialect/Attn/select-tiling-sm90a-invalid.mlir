// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/rules.mlir -split-input-file -attn-select-tiling="chip=sm_90a mma=wgmma" -verify-diagnostics
// RUN: attn-opt %t/sm90.mlir -attn-select-tiling="chip=sm_90 mma=wgmma" -verify-diagnostics
// RUN: attn-opt %t/unfused.mlir -attn-select-tiling="chip=sm_90a mma=wgmma pipeline=unfused" -verify-diagnostics
// RUN: attn-opt %t/warps2.mlir -attn-select-tiling="chip=sm_90a num-warps=2" -verify-diagnostics
// RUN: attn-opt %t/warps16.mlir -attn-select-tiling="chip=sm_90a mma=wgmma num-warps=16 block-m=256" -verify-diagnostics
// RUN: attn-opt %t/block-m.mlir -attn-select-tiling="chip=sm_90a block-m=64" -verify-diagnostics
// RUN: attn-opt %t/mma.mlir -attn-select-tiling="mma=fast" -verify-diagnostics

// What attn-select-tiling refuses for the wgmma path (mma=wgmma, or
// mma=auto choosing it): wgmma needs the fused pipeline on sm_90a, f16 or
// bf16 elements and D a multiple of 64 up to 256, and computes on one or
// two warpgroups (num-warps 4 or 8: a producer warpgroup comes on top, and
// a program has at most 16 warps). The error names the rule and what the
// problem is instead.

//--- rules.mlir

func.func @f32(%q: tensor<1x2x64x64xf32>) -> tensor<1x2x64x64xf32> {
  // expected-error @below {{mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the fused pipeline on sm_90a with 'f32' and D = 64}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>
      -> tensor<1x2x64x64xf32>
  return %o : tensor<1x2x64x64xf32>
}

// -----

func.func @d80(%q: tensor<1x2x64x80xbf16>) -> tensor<1x2x64x80xbf16> {
  // expected-error @below {{mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the fused pipeline on sm_90a with 'bf16' and D = 80}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x80xbf16>, tensor<1x2x64x80xbf16>, tensor<1x2x64x80xbf16>
      -> tensor<1x2x64x80xbf16>
  return %o : tensor<1x2x64x80xbf16>
}

// -----

func.func @d32(%q: tensor<1x2x64x32xf16>) -> tensor<1x2x64x32xf16> {
  // expected-error @below {{this is the fused pipeline on sm_90a with 'f16' and D = 32}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x32xf16>, tensor<1x2x64x32xf16>, tensor<1x2x64x32xf16>
      -> tensor<1x2x64x32xf16>
  return %o : tensor<1x2x64x32xf16>
}

//--- sm90.mlir

func.func @sm90(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the fused pipeline on sm_90 with 'f16' and D = 64}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- unfused.mlir

func.func @unfused(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the unfused pipeline on sm_90a with 'f16' and D = 64}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- warps2.mlir

// mma=auto picks wgmma here, so its warp rule applies.
func.func @two_warps(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{num-warps 2: the wgmma path computes on 1 or 2 warpgroups (num-warps 4 or 8)}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- warps16.mlir

func.func @sixteen_warps(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{num-warps 16: the wgmma path computes on 1 or 2 warpgroups (num-warps 4 or 8)}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- block-m.mlir

// Two compute warpgroups (the default for D = 128) own 64 rows each:
// block-m 64 is too few rows for 8 warps.
func.func @block_m(%q: tensor<1x2x64x128xf16>) -> tensor<1x2x64x128xf16> {
  // expected-error @below {{block-m 64 must be a multiple of 16 x num-warps (128) and at most 256}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x128xf16>, tensor<1x2x64x128xf16>, tensor<1x2x64x128xf16>
      -> tensor<1x2x64x128xf16>
  return %o : tensor<1x2x64x128xf16>
}

//--- mma.mlir

// expected-error @below {{attn-select-tiling: mma 'fast' is not valid: use auto, sync or wgmma}}
module {
func.func @mma(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
}
