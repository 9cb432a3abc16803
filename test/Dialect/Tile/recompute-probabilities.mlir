// RUN: attn-opt %s -attn-select-tiling="block-m=64 block-n=64 num-warps=4" -attn-tile | attn-opt -attn-recompute-probabilities | FileCheck %s
// RUN: attn-opt %s -attn-select-tiling="block-m=64 block-n=64 num-warps=4" -attn-tile="deterministic" | attn-opt -attn-recompute-probabilities | FileCheck %s --check-prefix=DET

// The fused backward's rung 2 (attn-tile) reads P from memory; rung 3
// recomputes each tile of it where it is loaded, from Q, K and the
// logsumexp, and the N×N buffer, its kernel and its launch are gone.

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

// CHECK-NOT:   @attn_bwd_probs
// The dK/dV kernel loses its P argument and gains lse (after its inputs).
// CHECK-LABEL: func.func private @attn_bwd_dkdv
// CHECK-SAME:    (%[[Q:[^:]*]]: memref<1x2x100x64xf16>, %[[K:[^:]*]]: memref<1x2x100x64xf16>, %{{[^:]*}}: memref<1x2x100x64xf16>, %[[DO:[^:]*]]: memref<1x2x100x64xf16>, %{{[^:]*}}: memref<1x2x100xf32>, %{{[^:]*}}: memref<1x2x100x64xf32>, %[[LSE:[^:]*]]: memref<1x2x100xf32>, %{{[^:]*}}: memref<1x2x100x64xf16>, %{{[^:]*}}: memref<1x2x100x64xf16>)
// CHECK-NOT:     memref<1x2x100x100xf16>
// CHECK:         %[[KV0:.*]] = arith.muli
// CHECK:         %[[KR:.*]] = tile.load %[[K]][%{{.*}}, %{{.*}}, %[[KV0]], %{{.*}}]
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[DKI:.*]] = %{{.*}}, %[[DVI:.*]] = %{{.*}})
// CHECK:           %[[QR:.*]] = tile.load %[[Q]][%{{.*}}, %{{.*}}, %[[I]], %{{.*}}]
// CHECK:           %[[DOT:.*]] = tile.load %[[DO]][%{{.*}}, %{{.*}}, %[[I]], %{{.*}}]
// The kernel reads Pᵀ (keys along the rows): the producer's computation at
// the load's indices, done transposed — Sᵀ = K·Qᵀ (K rows %KV0, Q rows %I),
// the causal mask of transposed scores at [%KV0, %I], the logsumexp
// broadcast down the rows; the Q and K tiles the kernel already loads are
// reused, not read again.
// CHECK-NOT:       tile.load %[[Q]]
// CHECK-NOT:       tile.load %[[K]]
// CHECK-NOT:       tile.transpose
// CHECK:           %[[L:.*]] = tile.load %[[LSE]][%{{.*}}, %{{.*}}, %[[I]]] : memref<1x2x100xf32> -> tensor<64xf32>
// CHECK:           %[[S:.*]] = tile.dot %[[KR]], %[[QR]] transpose_rhs
// CHECK:           %[[SS:.*]] = arith.mulf %[[S]], %{{.*}} : tensor<64x64xf32>
// CHECK:           %[[X:.*]] = tile.mask %[[SS]][%[[KV0]], %[[I]]] cols 100 causal transposed
// CHECK:           tile.broadcast %{{.*}} dim 0 : tensor<64xf32> -> tensor<64x64xf32>
// CHECK:           %[[PF:.*]] = math.exp2
// CHECK:           %[[PH:.*]] = arith.truncf %[[PF]] : tensor<64x64xf32> to tensor<64x64xf16>
// dV = Pᵀ·dO takes the rounded tile (an MMA operand); dSᵀ the f32 one,
// unrounded.
// CHECK:           tile.dot %[[PH]], %[[DOT]], %[[DVI]] :
// CHECK-NOT:       arith.extf %[[PH]]
// CHECK-NOT:       tile.transpose
// CHECK:           %[[DS:.*]] = arith.mulf %[[PF]], %{{.*}} : tensor<64x64xf32>
// CHECK-LABEL: func.func @grad
// CHECK-NOT:     tile.launch @attn_bwd_probs
// CHECK:         tile.launch @attn_bwd_dkdv({{.*}}) names ["q", "k", "v", "do", "delta", "dq_acc", "lse", "dk", "dv"]

// Deterministic: both kernels that read P recompute it; the dQ kernel
// gains Q as well as lse.
// DET-NOT:   @attn_bwd_probs
// DET-LABEL: func.func private @attn_bwd_dq
// DET:         tile.mask %{{.*}}[%{{.*}}, %{{.*}}] cols 100 causal
// DET:         math.exp2
// DET-LABEL: func.func @grad
// DET:         tile.launch @attn_bwd_dkdv({{.*}}) names ["q", "k", "v", "do", "delta", "lse", "dk", "dv"]
// DET:         tile.launch @attn_bwd_dq({{.*}}) names ["k", "v", "do", "delta", "lse", "q", "dq"]
