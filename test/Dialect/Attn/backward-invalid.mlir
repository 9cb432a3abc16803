// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per rule of the attn.attention_backward verifier: the operands
// and results share the query's rank-4 static shape and element type, the
// logsumexp is f32 [B, H, N], the scale is positive.

func.func @do_rank_3(%do: tensor<2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{grad_output must be a rank-4 tensor [B, H, N, D], got 'tensor<2x64x64xf16>'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @query_dynamic(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x?x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{query must have a static shape, got 'tensor<1x2x?x64xf16>'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x?x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @query_i8(%do: tensor<1x2x64x64xi8>, %q: tensor<1x2x64x64xi8>, %k: tensor<1x2x64x64xi8>, %v: tensor<1x2x64x64xi8>, %o: tensor<1x2x64x64xi8>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>) {
  // expected-error @below {{query element type must be f16, bf16 or f32, got 'i8'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>
  return %dq, %dk, %dv : tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>, tensor<1x2x64x64xi8>
}

// -----

func.func @key_type(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xbf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{key element type 'bf16' must match the query element type 'f16'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xbf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @value_shape(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x32x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{value shape [1, 2, 32, 64] must match the query shape [1, 2, 64, 64]}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x32x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @output_shape(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x1x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{output shape [1, 1, 64, 64] must match the query shape [1, 2, 64, 64]}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x1x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @grad_output_type(%do: tensor<1x2x64x64xf32>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{grad_output element type 'f32' must match the query element type 'f16'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf32>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @grad_key_shape(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x32xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{grad_key shape [1, 2, 64, 32] must match the query shape [1, 2, 64, 64]}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x32xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x32xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @grad_value_type(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xbf16>) {
  // expected-error @below {{grad_value element type 'bf16' must match the query element type 'f16'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xbf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xbf16>
}

// -----

func.func @lse_f16(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf16>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{logsumexp operand must have type 'tensor<1x2x64xf32>', got 'tensor<1x2x64xf16>'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf16>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @lse_shape(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x32xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{logsumexp operand must have type 'tensor<1x2x64xf32>', got 'tensor<1x2x32xf32>'}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x32xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// -----

func.func @zero_heads(%do: tensor<1x0x64x64xf16>, %q: tensor<1x0x64x64xf16>, %k: tensor<1x0x64x64xf16>, %v: tensor<1x0x64x64xf16>, %o: tensor<1x0x64x64xf16>, %lse: tensor<1x0x64xf32>) -> (tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>) {
  // expected-error @below {{query batch, heads and sequence length must be positive, got [1, 0, 64, 64]}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64xf32>
      -> tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>
  return %dq, %dk, %dv : tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>, tensor<1x0x64x64xf16>
}

// -----

func.func @head_dim_512(%do: tensor<1x2x64x512xf16>, %q: tensor<1x2x64x512xf16>, %k: tensor<1x2x64x512xf16>, %v: tensor<1x2x64x512xf16>, %o: tensor<1x2x64x512xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>) {
  // expected-error @below {{head dimension D must be in [1, 256], got 512}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>
  return %dq, %dk, %dv : tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>, tensor<1x2x64x512xf16>
}

// -----

func.func @scale_negative(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  // expected-error @below {{scale must be positive and finite, got -1}}
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse scale -1.000000e+00
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}
