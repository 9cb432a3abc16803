// RUN: attn-opt %s -attn-select-tiling="pipeline=unfused block-m=64 block-n=32 num-warps=4" -attn-tile-unfused | FileCheck %s

// The unfused pipeline's gradient is standard attention's backward: seven
// kernels, P, dP and dS full [B, H, N, N] buffers between them, and δ the
// softmax backward's rowsum(P ∘ dP).

func.func @grad(%do: tensor<1x2x100x64xf16>, %q: tensor<1x2x100x64xf16>,
                %k: tensor<1x2x100x64xf16>, %v: tensor<1x2x100x64xf16>,
                %o: tensor<1x2x100x64xf16>, %lse: tensor<1x2x100xf32>)
    -> (tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse causal
      : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>,
        tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100xf32>
      -> tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
  return %dq, %dk, %dv : tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>, tensor<1x2x100x64xf16>
}

// dP = dO·Vᵀ, one 64x32 tile per program.
// CHECK-LABEL: func.func private @attn_bwd_dp
// CHECK-SAME:    grid = [2, 2, 4]
// CHECK:         %[[DP:.*]] = tile.dot %{{.*}}, %{{.*}} transpose_rhs : tensor<64x64xf16>, tensor<32x64xf16> -> tensor<64x32xf32>
// CHECK:         %[[DPH:.*]] = arith.truncf %[[DP]]
// CHECK:         tile.store %[[DPH]], %{{.*}} : tensor<64x32xf16>, memref<1x2x100x100xf16>

// dS = P ∘ (dP − δ), element-wise in f32.
// CHECK-LABEL: func.func private @attn_bwd_ds
// CHECK:         %[[P:.*]] = tile.load %{{.*}} : memref<1x2x100x100xf16> -> tensor<64x32xf16>
// CHECK:         %[[PF:.*]] = arith.extf %[[P]]
// CHECK:         %[[DPF:.*]] = arith.extf
// CHECK:         %[[D:.*]] = tile.load %{{.*}} : memref<1x2x100xf32> -> tensor<64xf32>
// CHECK:         %[[DB:.*]] = tile.broadcast %[[D]] : tensor<64xf32> -> tensor<64x32xf32>
// CHECK:         %[[DIFF:.*]] = arith.subf %[[DPF]], %[[DB]]
// CHECK:         arith.mulf %[[PF]], %[[DIFF]]

// dV = Pᵀ·dO: a program owns 64 key rows; it reads P's 32x64 tiles at
// (query rows %J, its keys) and transposes them in the product.
// CHECK-LABEL: func.func private @attn_bwd_dv
// CHECK:         %[[ROW0:.*]] = arith.muli
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK:           %[[PT:.*]] = tile.load %{{.*}}[%{{.*}}, %{{.*}}, %[[J]], %[[ROW0]]] : memref<1x2x100x100xf16> -> tensor<32x64xf16>
// CHECK:           %[[DOT:.*]] = tile.load %{{.*}}[%{{.*}}, %{{.*}}, %[[J]], %{{.*}}] : memref<1x2x100x64xf16> -> tensor<32x64xf16>
// CHECK:           tile.dot %[[PT]], %[[DOT]], %[[ACC]] transpose_lhs : tensor<32x64xf16>, tensor<32x64xf16>, tensor<64x64xf32> -> tensor<64x64xf32>

// δ = rowsum(P ∘ dP), the softmax's backward, over block-n columns.
// CHECK-LABEL: func.func private @attn_bwd_delta
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<64xf32>)
// CHECK:           %[[P:.*]] = tile.load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[J]]] : memref<1x2x100x100xf16> -> tensor<64x32xf16>
// CHECK:           %[[PF:.*]] = arith.extf %[[P]]
// CHECK:           %[[DP:.*]] = tile.load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[J]]] : memref<1x2x100x100xf16> -> tensor<64x32xf16>
// CHECK:           %[[DPF:.*]] = arith.extf %[[DP]]
// CHECK:           %[[PROD:.*]] = arith.mulf %[[PF]], %[[DPF]]
// CHECK:           %[[SUM:.*]] = tile.reduce sum %[[PROD]]
// CHECK:           arith.addf %[[ACC]], %[[SUM]]

// dQ = scale·dS·K; dK = scale·dSᵀ·Q (scale 1/8).
// CHECK-LABEL: func.func private @attn_bwd_dq
// CHECK:           tile.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<64x32xf16>, tensor<32x64xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
// CHECK:         arith.mulf %{{.*}}, %{{.*}} : tensor<64x64xf32>
// CHECK-LABEL: func.func private @attn_bwd_dk
// CHECK:           tile.dot %{{.*}}, %{{.*}}, %{{.*}} transpose_lhs : tensor<32x64xf16>, tensor<32x64xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
// CHECK:         %[[SCALE:.*]] = arith.constant dense<1.250000e-01> : tensor<64x64xf32>

// CHECK-LABEL: func.func @grad
// CHECK:         %[[PL:.*]] = tile.launch @attn_bwd_probs(%{{.*}}) names ["q", "k", "lse", "p"] {{.*}} -> tensor<1x2x100x100xf16>
// CHECK:         %[[DVL:.*]] = tile.launch @attn_bwd_dv(%[[PL]], %{{.*}}) names ["p", "do", "dv"]
// CHECK:         %[[DPL:.*]] = tile.launch @attn_bwd_dp(%{{.*}}) names ["do", "v", "dp"] {{.*}} -> tensor<1x2x100x100xf16>
// CHECK:         %[[DL:.*]] = tile.launch @attn_bwd_delta(%[[PL]], %[[DPL]]) names ["p", "dp", "delta"]
// CHECK:         %[[DSL:.*]] = tile.launch @attn_bwd_ds(%[[PL]], %[[DPL]], %[[DL]]) names ["p", "dp", "delta", "ds"] {{.*}} -> tensor<1x2x100x100xf16>
// CHECK:         %[[DQL:.*]] = tile.launch @attn_bwd_dq(%[[DSL]], %{{.*}}) names ["ds", "k", "dq"]
// CHECK:         %[[DKL:.*]] = tile.launch @attn_bwd_dk(%[[DSL]], %{{.*}}) names ["ds", "q", "dk"]
// CHECK:         return %[[DQL]], %[[DKL]], %[[DVL]]
