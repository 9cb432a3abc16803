// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// Round-trip of attn.attention: the custom syntax prints back the same
// operands, attributes and types, and the generic form parses into it.

// CHECK-LABEL: func.func @default_scale
// CHECK-SAME:    (%[[Q:.*]]: tensor<1x2x64x64xf16>, %[[K:.*]]: tensor<1x2x64x64xf16>, %[[V:.*]]: tensor<1x2x64x64xf16>)
// CHECK:         %[[O:.*]] = attn.attention %[[Q]], %[[K]], %[[V]] :
// CHECK-SAME:      tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16> -> tensor<1x2x64x64xf16>
// CHECK:         return %[[O]]
func.func @default_scale(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                         %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// CHECK-LABEL: func.func @explicit_scale
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} scale 1.250000e-01 :
// CHECK-SAME:      -> tensor<1x2x64x64xf16>
func.func @explicit_scale(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                          %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v scale 0.125
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// CHECK-LABEL: func.func @causal
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} causal :
// CHECK-SAME:      -> tensor<1x2x64x64xf16>
func.func @causal(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                  %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// CHECK-LABEL: func.func @scale_and_causal
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} scale 5.000000e-01 causal :
func.func @scale_and_causal(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                            %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v scale 0.5 causal
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// CHECK-LABEL: func.func @windows
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} causal window [256, 0] :
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} window [-1, 8] :
func.func @windows(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>)
    -> (tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>) {
  %o = attn.attention %q, %k, %k causal window [256, 0]
      : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>
      -> tensor<?x?x?x64xbf16>
  %o2 = attn.attention %q, %k, %k window [-1, 8]
      : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>
      -> tensor<?x?x?x64xbf16>
  return %o, %o2 : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>
}

// CHECK-LABEL: func.func @bf16
// CHECK:         attn.attention
// CHECK-SAME:      tensor<2x4x128x128xbf16>, tensor<2x4x128x128xbf16>, tensor<2x4x128x128xbf16> -> tensor<2x4x128x128xbf16>
func.func @bf16(%q: tensor<2x4x128x128xbf16>, %k: tensor<2x4x128x128xbf16>,
                %v: tensor<2x4x128x128xbf16>) -> tensor<2x4x128x128xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<2x4x128x128xbf16>, tensor<2x4x128x128xbf16>, tensor<2x4x128x128xbf16>
      -> tensor<2x4x128x128xbf16>
  return %o : tensor<2x4x128x128xbf16>
}

// CHECK-LABEL: func.func @f32
// CHECK:         attn.attention
// CHECK-SAME:      tensor<1x1x17x32xf32>, tensor<1x1x17x32xf32>, tensor<1x1x17x32xf32> -> tensor<1x1x17x32xf32>
func.func @f32(%q: tensor<1x1x17x32xf32>, %k: tensor<1x1x17x32xf32>,
               %v: tensor<1x1x17x32xf32>) -> tensor<1x1x17x32xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<1x1x17x32xf32>, tensor<1x1x17x32xf32>, tensor<1x1x17x32xf32>
      -> tensor<1x1x17x32xf32>
  return %o : tensor<1x1x17x32xf32>
}

// CHECK-LABEL: func.func @with_lse
// CHECK:         %[[O:.*]], %[[LSE:.*]] = attn.attention %{{.*}}, %{{.*}}, %{{.*}} scale 1.250000e-01 causal :
// CHECK-SAME:      -> tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
// CHECK:         return %[[O]], %[[LSE]]
func.func @with_lse(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                    %v: tensor<1x2x64x64xf16>)
    -> (tensor<1x2x64x64xf16>, tensor<1x2x64xf32>) {
  %o, %lse = attn.attention %q, %k, %v scale 0.125 causal
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
  return %o, %lse : tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
}

// Grouped-query heads (H = 8 over Hkv = 2) and decoding (Nq = 1 against
// Nk = 1024), with the logsumexp: the key side has its own shape.
// CHECK-LABEL: func.func @gqa_decode
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} causal :
// CHECK-SAME:      tensor<2x8x1x128xbf16>, tensor<2x2x1024x128xbf16>, tensor<2x2x1024x128xbf16> -> tensor<2x8x1x128xbf16>, tensor<2x8x1xf32>
func.func @gqa_decode(%q: tensor<2x8x1x128xbf16>, %k: tensor<2x2x1024x128xbf16>,
                      %v: tensor<2x2x1024x128xbf16>)
    -> (tensor<2x8x1x128xbf16>, tensor<2x8x1xf32>) {
  %o, %lse = attn.attention %q, %k, %v causal
      : tensor<2x8x1x128xbf16>, tensor<2x2x1024x128xbf16>, tensor<2x2x1024x128xbf16>
      -> tensor<2x8x1x128xbf16>, tensor<2x8x1xf32>
  return %o, %lse : tensor<2x8x1x128xbf16>, tensor<2x8x1xf32>
}

// Run-time sizes: B, H, Hkv, Nq and Nk are '?' (D is not), and the
// logsumexp is tensor<?x?x?xf32>.
// CHECK-LABEL: func.func @runtime_sizes
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} causal :
// CHECK-SAME:      tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16> -> tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>
func.func @runtime_sizes(%q: tensor<?x?x?x128xbf16>, %k: tensor<?x?x?x128xbf16>,
                         %v: tensor<?x?x?x128xbf16>)
    -> (tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>) {
  %o, %lse = attn.attention %q, %k, %v causal
      : tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>
      -> tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>
  return %o, %lse : tensor<?x?x?x128xbf16>, tensor<?x?x?xf32>
}

// Packed sequences of different lengths: B is 1 (here ? with the other
// run-time sizes), offsets of S + 1 entries.
// CHECK-LABEL: func.func @sequences
// CHECK:         attn.attention %{{.*}}, %{{.*}}, %{{.*}} sequences(%{{.*}}, %{{.*}}) causal window [128, 0] :
// CHECK-SAME:      tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?xi32>, tensor<?xi32> -> tensor<?x?x?x64xbf16>
func.func @sequences(%q: tensor<?x?x?x64xbf16>, %k: tensor<?x?x?x64xbf16>,
                     %v: tensor<?x?x?x64xbf16>, %cu_q: tensor<?xi32>,
                     %cu_k: tensor<?xi32>) -> tensor<?x?x?x64xbf16> {
  %o = attn.attention %q, %k, %v sequences(%cu_q, %cu_k) causal window [128, 0]
      : tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>, tensor<?x?x?x64xbf16>,
        tensor<?xi32>, tensor<?xi32> -> tensor<?x?x?x64xbf16>
  return %o : tensor<?x?x?x64xbf16>
}
