// RUN: attn-opt %s -split-input-file -attn-select-tiling | FileCheck %s

// The fused backward's default tiling by head dimension (16-bit types):
// D = 128 steps over 64 queries (dQ is computed transposed, its 128 rows
// fill the 8 warps); a D between 64 and 128 that does not fill them keeps
// 128-query steps, one buffer each.

// CHECK-LABEL: func.func @d128
// CHECK: tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 8, stages = 2
func.func @d128(%do: tensor<1x2x100x128xbf16>, %q: tensor<1x2x100x128xbf16>, %k: tensor<1x2x100x128xbf16>, %v: tensor<1x2x100x128xbf16>, %o: tensor<1x2x100x128xbf16>, %lse: tensor<1x2x100xf32>) -> (tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>, tensor<1x2x100xf32> -> tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>
  return %dq, %dk, %dv : tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>, tensor<1x2x100x128xbf16>
}

// -----

// CHECK-LABEL: func.func @d96
// CHECK: tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 1
func.func @d96(%do: tensor<1x2x100x96xf16>, %q: tensor<1x2x100x96xf16>, %k: tensor<1x2x100x96xf16>, %v: tensor<1x2x100x96xf16>, %o: tensor<1x2x100x96xf16>, %lse: tensor<1x2x100xf32>) -> (tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>, tensor<1x2x100xf32> -> tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>
  return %dq, %dk, %dv : tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>, tensor<1x2x100x96xf16>
}
