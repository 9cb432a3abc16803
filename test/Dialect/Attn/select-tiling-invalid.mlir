// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/head-dim.mlir -split-input-file -attn-select-tiling -verify-diagnostics
// RUN: attn-opt %t/head-dim.mlir -split-input-file -attn-tile -verify-diagnostics
// RUN: attn-opt %t/block-m.mlir -attn-select-tiling="block-m=48 num-warps=2" -verify-diagnostics
// RUN: attn-opt %t/block-m-warps.mlir -attn-select-tiling="block-m=64 num-warps=8" -verify-diagnostics
// RUN: attn-opt %t/block-n.mlir -attn-select-tiling="block-n=40" -verify-diagnostics
// RUN: attn-opt %t/num-warps.mlir -attn-select-tiling="num-warps=33" -verify-diagnostics
// RUN: attn-opt %t/num-stages.mlir -attn-select-tiling="num-stages=9" -verify-diagnostics
// RUN: attn-opt %t/grid-y.mlir -attn-select-tiling="pipeline=unfused" -verify-diagnostics
// RUN: attn-opt %t/grid-x.mlir -attn-select-tiling="pipeline=unfused" -verify-diagnostics
// RUN: attn-opt %t/heads.mlir -attn-select-tiling -verify-diagnostics
// RUN: attn-opt %t/grid-z.mlir -attn-select-tiling="pipeline=unfused" -verify-diagnostics
// RUN: attn-opt %t/scores.mlir -attn-select-tiling="pipeline=unfused" -verify-diagnostics
// RUN: attn-opt %t/chip.mlir -attn-select-tiling="chip=sm_75" -verify-diagnostics
// RUN: attn-opt %t/pipeline.mlir -attn-select-tiling="pipeline=both" -verify-diagnostics
// RUN: attn-opt %t/empty.mlir -attn-select-tiling -verify-diagnostics
// RUN: attn-opt %t/split-keys.mlir -attn-select-tiling="split-keys=100" -verify-diagnostics
// RUN: attn-opt %t/split-unfused.mlir -attn-select-tiling="pipeline=unfused split-keys=128" -verify-diagnostics
// RUN: attn-opt %t/split-backward.mlir -attn-select-tiling="split-keys=128" -verify-diagnostics
// RUN: attn-opt %t/split-grid-z.mlir -attn-select-tiling="split-keys=128" -verify-diagnostics
// RUN: attn-opt %t/sequences.mlir -attn-select-tiling="pipeline=unfused" -verify-diagnostics
// RUN: attn-opt %t/sequences.mlir -attn-tile-unfused -verify-diagnostics
// RUN: attn-opt %t/sequences-split.mlir -attn-select-tiling="split-keys=128" -verify-diagnostics

// Problems and options attn-select-tiling refuses (and attn-tile, which
// selects the defaults when the op has no tiling): the MMA mapping needs the
// head dimension to be a whole number of contraction steps (16 for f16 and
// bf16, 8 for f32), block-m a multiple of 16 rows per warp, block-n a
// multiple of 16 columns; CUDA's grid has at most 65535 programs along y
// and z (the fused kernel runs heads along y and batches along z, the
// unfused ones row blocks along y); the unfused pipeline's S and P at most
// 2^40 elements. Each file
// runs under the options in its RUN line.

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
  // expected-error @below {{block-m 48 must be a multiple of 16 x num-warps (32) and at most 256}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- block-m-warps.mlir

func.func @block_m_64_eight_warps(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{block-m 64 must be a multiple of 16 x num-warps (128) and at most 256}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- block-n.mlir

func.func @block_n_40(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{block-n 40 must be a multiple of 16 in [16, 256]}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- num-warps.mlir

func.func @num_warps_33(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{num-warps must be 1, 2, 4, 8 or 16, got 33}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- num-stages.mlir

func.func @num_stages_9(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{num-stages 9 must be in [1, 8]}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- grid-y.mlir

func.func @long_sequence(%q: tensor<1x1x16777216x64xf16>) -> tensor<1x1x16777216x64xf16> {
  // expected-error @below {{sequence length Nq = 16777216 needs 131072 programs of block-m 128 along grid y; CUDA allows at most 65535}}
  %o = attn.attention %q, %q, %q
      : tensor<1x1x16777216x64xf16>, tensor<1x1x16777216x64xf16>, tensor<1x1x16777216x64xf16>
      -> tensor<1x1x16777216x64xf16>
  return %o : tensor<1x1x16777216x64xf16>
}

//--- heads.mlir

func.func @many_heads_fused(%q: tensor<1x65536x16x16xf16>) -> tensor<1x65536x16x16xf16> {
  // expected-error @below {{batch 1 x heads 65536: the fused kernel runs heads along grid y and batches along z; CUDA allows at most 65535 each}}
  %o = attn.attention %q, %q, %q
      : tensor<1x65536x16x16xf16>, tensor<1x65536x16x16xf16>, tensor<1x65536x16x16xf16>
      -> tensor<1x65536x16x16xf16>
  return %o : tensor<1x65536x16x16xf16>
}

//--- grid-x.mlir

func.func @many_heads(%q: tensor<65536x65536x1x16xf16>) -> tensor<65536x65536x1x16xf16> {
  // expected-error @below {{batch x heads = 4294967296 programs along grid x; CUDA allows at most 2147483647}}
  %o = attn.attention %q, %q, %q
      : tensor<65536x65536x1x16xf16>, tensor<65536x65536x1x16xf16>, tensor<65536x65536x1x16xf16>
      -> tensor<65536x65536x1x16xf16>
  return %o : tensor<65536x65536x1x16xf16>
}

//--- grid-z.mlir

func.func @unfused_columns(%q: tensor<1x1x4194304x64xf16>) -> tensor<1x1x4194304x64xf16> {
  // expected-error @below {{sequence length Nk = 4194304 needs 65536 programs of block-n 64 along grid z of the scores kernel; CUDA allows at most 65535}}
  %o = attn.attention %q, %q, %q
      : tensor<1x1x4194304x64xf16>, tensor<1x1x4194304x64xf16>, tensor<1x1x4194304x64xf16>
      -> tensor<1x1x4194304x64xf16>
  return %o : tensor<1x1x4194304x64xf16>
}

//--- scores.mlir

func.func @unfused_scores(%q: tensor<8192x16x4096x64xf16>) -> tensor<8192x16x4096x64xf16> {
  // expected-error @below {{the unfused pipeline's S and P would each hold B·H·Nq·Nk = 2.199023e+12 elements, more than 2^40; use the fused pipeline}}
  %o = attn.attention %q, %q, %q
      : tensor<8192x16x4096x64xf16>, tensor<8192x16x4096x64xf16>, tensor<8192x16x4096x64xf16>
      -> tensor<8192x16x4096x64xf16>
  return %o : tensor<8192x16x4096x64xf16>
}

//--- chip.mlir

func.func @turing(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{chip 'sm_75' is not supported: use sm_80, sm_86, sm_89, sm_90, sm_90a}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- pipeline.mlir

// expected-error @below {{attn-select-tiling: pipeline 'both' is not valid: use fused or unfused}}
module {
}

//--- empty.mlir

// expected-error @below {{attn-select-tiling: the module holds no attn.attention or attn.attention_backward (the pass runs on rung 1)}}
module {
}

//--- split-keys.mlir

// Split keys (flash-decoding) come in whole key blocks.
func.func @split_keys(%q: tensor<1x2x1x64xf16>, %k: tensor<1x2x4096x64xf16>) -> tensor<1x2x1x64xf16> {
  // expected-error @below {{split-keys 100 must be a multiple of block-n (64)}}
  %o = attn.attention %q, %k, %k
      : tensor<1x2x1x64xf16>, tensor<1x2x4096x64xf16>, tensor<1x2x4096x64xf16>
      -> tensor<1x2x1x64xf16>
  return %o : tensor<1x2x1x64xf16>
}

//--- split-unfused.mlir

func.func @split_unfused(%q: tensor<1x2x1x64xf16>, %k: tensor<1x2x4096x64xf16>) -> tensor<1x2x1x64xf16> {
  // expected-error @below {{split-keys 128: only the fused forward splits its keys}}
  %o = attn.attention %q, %k, %k
      : tensor<1x2x1x64xf16>, tensor<1x2x4096x64xf16>, tensor<1x2x4096x64xf16>
      -> tensor<1x2x1x64xf16>
  return %o : tensor<1x2x1x64xf16>
}

//--- split-backward.mlir

func.func @split_backward(%t: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>)
    -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{split-keys 128: only the fused forward splits its keys}}
  %dq, %dk, %dv = attn.attention_backward %t, %t, %t, %t, %t, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>,
        tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

//--- split-grid-z.mlir

// Batches x splits run along grid z: at most 65535.
func.func @split_grid_z(%q: tensor<40000x1x1x64xf16>, %k: tensor<40000x1x256x64xf16>) -> tensor<40000x1x1x64xf16> {
  // expected-error @below {{batch 40000 x 2 key splits of split-keys 128 run along grid z; CUDA allows at most 65535: use larger splits}}
  %o = attn.attention %q, %k, %k
      : tensor<40000x1x1x64xf16>, tensor<40000x1x256x64xf16>, tensor<40000x1x256x64xf16>
      -> tensor<40000x1x1x64xf16>
  return %o : tensor<40000x1x1x64xf16>
}

//--- sequences.mlir

// Packed sequences of different lengths: the fused forward on mma.sync,
// unsplit, so far.
func.func @sequences(%q: tensor<1x2x100x64xf16>, %cu: tensor<3xi32>) -> tensor<1x2x100x64xf16> {
  // expected-error @below {{sequences(...): packed variable-length batches are compiled by the fused pipeline only}}
  %o = attn.attention %q, %q, %q sequences(%cu, %cu)
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>,
        tensor<3xi32>, tensor<3xi32> -> tensor<1x2x100x64xf16>
  return %o : tensor<1x2x100x64xf16>
}

//--- sequences-split.mlir

func.func @sequences(%q: tensor<1x2x100x64xf16>, %cu: tensor<3xi32>) -> tensor<1x2x100x64xf16> {
  // expected-error @below {{sequences(...): packed variable-length batches do not split their keys (split-keys 0 or -1)}}
  %o = attn.attention %q, %q, %q sequences(%cu, %cu)
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>,
        tensor<3xi32>, tensor<3xi32> -> tensor<1x2x100x64xf16>
  return %o : tensor<1x2x100x64xf16>
}
