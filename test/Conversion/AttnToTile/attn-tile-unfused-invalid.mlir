// RUN: attn-opt %s -split-input-file -attn-tile-unfused -verify-diagnostics

// The unfused pipeline has no logsumexp output, and it shares the tile
// configuration rules of attn-tile.

func.func @lse(%q: tensor<1x2x64x64xf16>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64xf32>) {
  // expected-error @below {{'attn.attention' op the unfused pipeline does not produce the logsumexp result; use the fused pipeline}}
  %o, %lse = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
  return %o, %lse : tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
}

// -----

func.func @f16_head_dim_24(%q: tensor<1x2x64x24xf16>) -> tensor<1x2x64x24xf16> {
  // expected-error @below {{head dimension 24 is not a multiple of 16, the MMA contraction step for 'f16'}}
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x24xf16>, tensor<1x2x64x24xf16>, tensor<1x2x64x24xf16>
      -> tensor<1x2x64x24xf16>
  return %o : tensor<1x2x64x24xf16>
}
