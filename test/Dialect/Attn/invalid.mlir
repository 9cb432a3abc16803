// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per rule of the attn.attention verifier.

func.func @query_rank_3(%q: tensor<2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{query must be a rank-4 tensor [B, H, N, D], got 'tensor<2x64x64xf16>'}}
  %o = attn.attention %q, %k, %v
      : tensor<2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @key_rank_5(%q: tensor<1x2x64x64xf16>, %k: tensor<1x1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{key must be a rank-4 tensor [B, H, N, D], got 'tensor<1x1x2x64x64xf16>'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @value_unranked(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<*xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{value must be a rank-4 tensor [B, H, N, D], got 'tensor<*xf16>'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<*xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @output_rank_2(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<64x64xf16> {
  // expected-error @below {{output must be a rank-4 tensor [B, H, N, D], got 'tensor<64x64xf16>'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<64x64xf16>
  return %o : tensor<64x64xf16>
}

// -----

func.func @query_dynamic(%q: tensor<1x2x?x64xf16>, %k: tensor<1x2x?x64xf16>, %v: tensor<1x2x?x64xf16>) -> tensor<1x2x?x64xf16> {
  // expected-error @below {{sizes known only at run time must be B, H and N of every operand and result together (tensor<?x?x?xDx...>), or none; got 'tensor<1x2x?x64xf16>' and 'tensor<1x2x?x64xf16>'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x?x64xf16>
      -> tensor<1x2x?x64xf16>
  return %o : tensor<1x2x?x64xf16>
}

// -----

func.func @key_dynamic(%q: tensor<1x2x64x64xf16>, %k: tensor<?x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{sizes known only at run time must be B, H and N of every operand and result together (tensor<?x?x?xDx...>), or none; got 'tensor<1x2x64x64xf16>' and 'tensor<?x2x64x64xf16>'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<?x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @element_f64(%q: tensor<1x2x64x64xf64>, %k: tensor<1x2x64x64xf64>, %v: tensor<1x2x64x64xf64>) -> tensor<1x2x64x64xf64> {
  // expected-error @below {{query element type must be f16, bf16 or f32, got 'f64'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf64>, tensor<1x2x64x64xf64>, tensor<1x2x64x64xf64>
      -> tensor<1x2x64x64xf64>
  return %o : tensor<1x2x64x64xf64>
}

// -----

func.func @element_i32(%q: tensor<1x2x64x64xi32>, %k: tensor<1x2x64x64xi32>, %v: tensor<1x2x64x64xi32>) -> tensor<1x2x64x64xi32> {
  // expected-error @below {{query element type must be f16, bf16 or f32, got 'i32'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xi32>, tensor<1x2x64x64xi32>, tensor<1x2x64x64xi32>
      -> tensor<1x2x64x64xi32>
  return %o : tensor<1x2x64x64xi32>
}

// -----

func.func @key_element_mismatch(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xbf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{key element type 'bf16' must match the query element type 'f16'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xbf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @value_element_mismatch(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf32>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{value element type 'f32' must match the query element type 'f16'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf32>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @output_element_mismatch(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf32> {
  // expected-error @below {{output element type 'f32' must match the query element type 'f16'}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf32>
  return %o : tensor<1x2x64x64xf32>
}

// -----

func.func @key_batch_mismatch(%q: tensor<1x2x64x64xf16>, %k: tensor<2x2x32x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{key batch 2 must match the query batch 1 (key [2, 2, 32, 64], query [1, 2, 64, 64])}}
  %o = attn.attention %q, %k, %k
      : tensor<1x2x64x64xf16>, tensor<2x2x32x64xf16>, tensor<2x2x32x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @key_head_dim_mismatch(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x32xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{key head dimension 32 must match the query head dimension 64 (key [1, 2, 64, 32], query [1, 2, 64, 64])}}
  %o = attn.attention %q, %k, %k
      : tensor<1x2x64x64xf16>, tensor<1x2x64x32xf16>, tensor<1x2x64x32xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @value_shape_mismatch(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x32x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{value shape [1, 2, 32, 64] must match the key shape [1, 2, 64, 64]}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x32x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @heads_not_multiple(%q: tensor<1x6x64x64xf16>, %k: tensor<1x4x64x64xf16>) -> tensor<1x6x64x64xf16> {
  // expected-error @below {{query heads H = 6 must be a multiple of the key heads Hkv = 4 (each K/V head serves H / Hkv query heads)}}
  %o = attn.attention %q, %k, %k
      : tensor<1x6x64x64xf16>, tensor<1x4x64x64xf16>, tensor<1x4x64x64xf16>
      -> tensor<1x6x64x64xf16>
  return %o : tensor<1x6x64x64xf16>
}

// -----

func.func @key_side_empty(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x0x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{key heads and sequence length must be positive, got [1, 2, 0, 64]}}
  %o = attn.attention %q, %k, %k
      : tensor<1x2x64x64xf16>, tensor<1x2x0x64xf16>, tensor<1x2x0x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @output_shape_mismatch(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x4x64x64xf16> {
  // expected-error @below {{output shape [1, 4, 64, 64] must match the query shape [1, 2, 64, 64]}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x4x64x64xf16>
  return %o : tensor<1x4x64x64xf16>
}

// -----

func.func @batch_zero(%q: tensor<0x2x64x64xf16>, %k: tensor<0x2x64x64xf16>, %v: tensor<0x2x64x64xf16>) -> tensor<0x2x64x64xf16> {
  // expected-error @below {{query batch, heads and sequence length must be positive, got [0, 2, 64, 64]}}
  %o = attn.attention %q, %k, %v
      : tensor<0x2x64x64xf16>, tensor<0x2x64x64xf16>, tensor<0x2x64x64xf16>
      -> tensor<0x2x64x64xf16>
  return %o : tensor<0x2x64x64xf16>
}

// -----

func.func @heads_zero(%q: tensor<1x0x64x64xf16>, %k: tensor<1x0x64x64xf16>, %v: tensor<1x0x64x64xf16>) -> tensor<1x0x64x64xf16> {
  // expected-error @below {{query batch, heads and sequence length must be positive, got [1, 0, 64, 64]}}
  %o = attn.attention %q, %k, %v
      : tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>
      -> tensor<1x0x64x64xf16>
  return %o : tensor<1x0x64x64xf16>
}

// -----

func.func @seq_len_zero(%q: tensor<1x2x0x64xf16>, %k: tensor<1x2x0x64xf16>, %v: tensor<1x2x0x64xf16>) -> tensor<1x2x0x64xf16> {
  // expected-error @below {{query batch, heads and sequence length must be positive, got [1, 2, 0, 64]}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x0x64xf16>, tensor<1x2x0x64xf16>, tensor<1x2x0x64xf16>
      -> tensor<1x2x0x64xf16>
  return %o : tensor<1x2x0x64xf16>
}

// -----

func.func @head_dim_zero(%q: tensor<1x2x64x0xf16>, %k: tensor<1x2x64x0xf16>, %v: tensor<1x2x64x0xf16>) -> tensor<1x2x64x0xf16> {
  // expected-error @below {{head dimension D must be in [1, 256], got 0}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x0xf16>, tensor<1x2x64x0xf16>, tensor<1x2x64x0xf16>
      -> tensor<1x2x64x0xf16>
  return %o : tensor<1x2x64x0xf16>
}

// -----

func.func @head_dim_300(%q: tensor<1x2x64x300xf16>, %k: tensor<1x2x64x300xf16>, %v: tensor<1x2x64x300xf16>) -> tensor<1x2x64x300xf16> {
  // expected-error @below {{head dimension D must be in [1, 256], got 300}}
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x300xf16>, tensor<1x2x64x300xf16>, tensor<1x2x64x300xf16>
      -> tensor<1x2x64x300xf16>
  return %o : tensor<1x2x64x300xf16>
}

// -----

func.func @scale_zero(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{scale must be positive and finite, got 0.000000e+00}}
  %o = attn.attention %q, %k, %v scale 0.0
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @scale_negative(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{scale must be positive and finite, got -1.250000e-01}}
  %o = attn.attention %q, %k, %v scale -0.125
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @scale_inf(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{scale must be positive and finite, got INF}}
  %o = attn.attention %q, %k, %v scale 0x7F800000
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @scale_nan(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{scale must be positive and finite, got nan}}
  %o = attn.attention %q, %k, %v scale 0x7FC00000
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @lse_f16(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64xf16>) {
  // expected-error @below {{logsumexp result must have type 'tensor<1x2x64xf32>', got 'tensor<1x2x64xf16>'}}
  %o, %lse = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64xf16>
  return %o, %lse : tensor<1x2x64x64xf16>, tensor<1x2x64xf16>
}

// -----

func.func @lse_rank_4(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x1xf32>) {
  // expected-error @below {{logsumexp result must have type 'tensor<1x2x64xf32>', got 'tensor<1x2x64x1xf32>'}}
  %o, %lse = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x1xf32>
  return %o, %lse : tensor<1x2x64x64xf16>, tensor<1x2x64x1xf32>
}

// -----

func.func @lse_wrong_rows(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>) -> (tensor<1x2x64x64xf16>, tensor<1x2x32xf32>) {
  // expected-error @below {{logsumexp result must have type 'tensor<1x2x64xf32>', got 'tensor<1x2x32xf32>'}}
  %o, %lse = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>, tensor<1x2x32xf32>
  return %o, %lse : tensor<1x2x64x64xf16>, tensor<1x2x32xf32>
}

// -----

func.func @partly_dynamic(%q: tensor<?x2x?x64xf16>, %k: tensor<?x2x?x64xf16>) -> tensor<?x2x?x64xf16> {
  // expected-error @below {{sizes known only at run time must be B, H and N of every operand and result together (tensor<?x?x?xDx...>), or none; got 'tensor<?x2x?x64xf16>' and 'tensor<?x2x?x64xf16>'}}
  %o = attn.attention %q, %k, %k
      : tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>, tensor<?x2x?x64xf16>
      -> tensor<?x2x?x64xf16>
  return %o : tensor<?x2x?x64xf16>
}

// -----

func.func @dynamic_head_dim(%q: tensor<?x?x?x?xf16>) -> tensor<?x?x?x?xf16> {
  // expected-error @below {{query must have a static head dimension D (kernels are compiled per D), got 'tensor<?x?x?x?xf16>'}}
  %o = attn.attention %q, %q, %q
      : tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>, tensor<?x?x?x?xf16>
      -> tensor<?x?x?x?xf16>
  return %o : tensor<?x?x?x?xf16>
}

// -----

func.func @dynamic_keys_static_queries(%q: tensor<1x2x64x64xf16>, %k: tensor<?x?x?x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{sizes known only at run time must be B, H and N of every operand and result together}}
  %o = attn.attention %q, %k, %k
      : tensor<1x2x64x64xf16>, tensor<?x?x?x64xf16>, tensor<?x?x?x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @window_one_side(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{'attn.attention' op window must be [left, right], got 1 values}}
  %o = attn.attention %q, %q, %q window [16]
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @window_negative(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{'attn.attention' op window sides must be -1 (unbounded) or at least 0, got [16, -2]}}
  %o = attn.attention %q, %q, %q window [16, -2]
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @window_unbounded(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{'attn.attention' op window [-1, -1] is no window: leave it out}}
  %o = attn.attention %q, %q, %q window [-1, -1]
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @window_right_of_causal(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  // expected-error @below {{'attn.attention' op window [32, 4] with causal: a causal row sees no key after its diagonal, so the right side must be 0 or -1}}
  %o = attn.attention %q, %q, %q causal window [32, 4]
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

func.func @sequences_offset_type(%q: tensor<1x2x100x64xf16>, %cu: tensor<3xi64>) -> tensor<1x2x100x64xf16> {
  // expected-error @below {{'attn.attention' op query sequence offsets must be a rank-1 tensor of i32 (S + 1 cumulative lengths), got 'tensor<3xi64>'}}
  %o = attn.attention %q, %q, %q sequences(%cu, %cu)
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>,
        tensor<3xi64>, tensor<3xi64> -> tensor<1x2x100x64xf16>
  return %o : tensor<1x2x100x64xf16>
}

// -----

func.func @sequences_too_few(%q: tensor<1x2x100x64xf16>, %cu: tensor<1xi32>) -> tensor<1x2x100x64xf16> {
  // expected-error @below {{'attn.attention' op query sequence offsets hold 1 entries; S sequences take S + 1 >= 2}}
  %o = attn.attention %q, %q, %q sequences(%cu, %cu)
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>,
        tensor<1xi32>, tensor<1xi32> -> tensor<1x2x100x64xf16>
  return %o : tensor<1x2x100x64xf16>
}

// -----

func.func @sequences_differ(%q: tensor<1x2x100x64xf16>, %cq: tensor<3xi32>, %ck: tensor<4xi32>) -> tensor<1x2x100x64xf16> {
  // expected-error @below {{'attn.attention' op query and key sequence offsets differ in length (3 and 4): each sequence has both}}
  %o = attn.attention %q, %q, %q sequences(%cq, %ck)
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>,
        tensor<3xi32>, tensor<4xi32> -> tensor<1x2x100x64xf16>
  return %o : tensor<1x2x100x64xf16>
}

// -----

func.func @sequences_batch(%q: tensor<2x2x100x64xf16>, %cu: tensor<3xi32>) -> tensor<2x2x100x64xf16> {
  // expected-error @below {{'attn.attention' op with sequences, the batch dimension must be 1 (the sequences are packed along Nq and Nk), got 2}}
  %o = attn.attention %q, %q, %q sequences(%cu, %cu)
      : tensor<2x2x100x64xf16>, tensor<2x2x100x64xf16>, tensor<2x2x100x64xf16>,
        tensor<3xi32>, tensor<3xi32> -> tensor<2x2x100x64xf16>
  return %o : tensor<2x2x100x64xf16>
}
