// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

// Round-trip of attn.attention_backward: operands, scale, causal and types.

// CHECK-LABEL: func.func @plain
// CHECK-SAME:    (%[[DO:[^:]*]]: tensor<1x2x64x64xf16>, %[[Q:[^:]*]]: tensor<1x2x64x64xf16>, %[[K:[^:]*]]: tensor<1x2x64x64xf16>, %[[V:[^:]*]]: tensor<1x2x64x64xf16>, %[[O:[^:]*]]: tensor<1x2x64x64xf16>, %[[LSE:[^:]*]]: tensor<1x2x64xf32>)
// CHECK:         %[[DQ:[^,]*]], %[[DK:[^,]*]], %[[DV:[^ ]*]] = attn.attention_backward %[[DO]], %[[Q]], %[[K]], %[[V]], %[[O]], %[[LSE]] :
// CHECK-SAME:      tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32> -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
// CHECK:         return %[[DQ]], %[[DK]], %[[DV]]
func.func @plain(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}

// CHECK-LABEL: func.func @scaled_causal
// CHECK:         attn.attention_backward %{{.*}} scale 1.250000e-01 causal :
func.func @scaled_causal(%do: tensor<1x2x64x64xf16>, %q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>, %v: tensor<1x2x64x64xf16>, %o: tensor<1x2x64x64xf16>, %lse: tensor<1x2x64xf32>) -> (tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse scale 1.250000e-01 causal
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64xf32>
      -> tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
  return %dq, %dk, %dv : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
}
