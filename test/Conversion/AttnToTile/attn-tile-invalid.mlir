// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/head-dim.mlir -split-input-file -attn-tile -verify-diagnostics
// RUN: attn-opt %t/block-m.mlir -attn-tile="block-m=48 num-warps=2" -verify-diagnostics
// RUN: attn-opt %t/block-m-warps.mlir -attn-tile="block-m=64 num-warps=8" -verify-diagnostics
// RUN: attn-opt %t/block-n.mlir -attn-tile="block-n=40" -verify-diagnostics
// RUN: attn-opt %t/num-warps.mlir -attn-tile="num-warps=33" -verify-diagnostics

// Problems and block options attn-tile refuses: the MMA mapping needs the
// head dimension to be a whole number of contraction steps (16 for f16 and
// bf16, 8 for f32), block-m a multiple of 16 rows per warp, block-n a
// multiple of 16 columns. Each file runs under the options in its RUN line.

//--- head-dim.mlir

func.func @f16_head_dim_72(%q: tensor<1x2x64x72xf16>) -> tensor<1x2x64x72xf16> {
  // expected-error @below {{head dimension 72 is not a multiple of 16, the MMA contraction step for 'f16'}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x72xf16>, tensor<1x2x64x72xf16>, tensor<1x2x64x72xf16>
      -> tensor<1x2x64x72xf16>
  return %o : tensor<1x2x64x72xf16>
}

// -----

func.func @bf16_head_dim_40(%q: tensor<1x2x64x40xbf16>) -> tensor<1x2x64x40xbf16> {
  // expected-error @below {{head dimension 40 is not a multiple of 16, the MMA contraction step for 'bf16'}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x40xbf16>, tensor<1x2x64x40xbf16>, tensor<1x2x64x40xbf16>
      -> tensor<1x2x64x40xbf16>
  return %o : tensor<1x2x64x40xbf16>
}

// -----

func.func @f32_head_dim_12(%q: tensor<1x2x64x12xf32>) -> tensor<1x2x64x12xf32> {
  // expected-error @below {{head dimension 12 is not a multiple of 8, the MMA contraction step for 'f32'}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x12xf32>, tensor<1x2x64x12xf32>, tensor<1x2x64x12xf32>
      -> tensor<1x2x64x12xf32>
  return %o : tensor<1x2x64x12xf32>
}

//--- block-m.mlir

func.func @block_m_48_two_warps(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{block-m 48 must be a positive multiple of 16 x num-warps (32)}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- block-m-warps.mlir

func.func @block_m_64_eight_warps(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{block-m 64 must be a positive multiple of 16 x num-warps (128)}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- block-n.mlir

func.func @block_n_40(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{block-n 40 must be a positive multiple of 16}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- num-warps.mlir

func.func @num_warps_33(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{num-warps must be in [1, 32], got 33}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
