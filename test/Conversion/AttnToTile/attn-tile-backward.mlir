// RUN: attn-opt %s -attn-select-tiling="block-m=64 block-n=64 num-warps=4" -attn-tile | FileCheck %s
// RUN: attn-opt %s -attn-select-tiling="block-m=64 block-n=64 num-warps=4" -attn-tile="deterministic" | FileCheck %s --check-prefix=DET
// RUN: attn-opt %s -attn-select-tiling="block-m=64 block-n=64 num-warps=4" -attn-tile="testing-skip-delta" | FileCheck %s --check-prefix=NODELTA
// RUN: attn-opt %s -attn-select-tiling="block-m=32 block-n=64 num-warps=4" -attn-tile | FileCheck %s --check-prefix=DQT

// attn.attention_backward becomes FlashAttention-2's backward with P still
// read from memory (rung 2): δ, P, dK/dV over key blocks with dQ added
// atomically, and dQ's conversion. Tiles of block-m 64 query rows per
// step, block-n 64 keys per program, 4 warps. D = 64, f16, N = 100, causal:
// scale 1/8, scale·log2(e) = 0.18034.

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

// δ = rowsum(dO ∘ O) in f32, one row block per program; the same program
// zeroes its rows of dQ's f32 accumulator.
// CHECK-LABEL: func.func private @attn_bwd_preprocess
// CHECK-SAME:    (%[[DO:.*]]: memref<1x2x100x64xf16>, %[[O:.*]]: memref<1x2x100x64xf16>, %[[DELTA:.*]]: memref<1x2x100xf32>, %[[ACC:.*]]: memref<1x2x100x64xf32>)
// CHECK-SAME:    grid = [2, 2, 1]
// CHECK:         %[[DOT:.*]] = tile.load %[[DO]][%[[B:.*]], %[[H:.*]], %[[ROW:.*]], %{{.*}}] : memref<1x2x100x64xf16> -> tensor<64x64xf16>
// CHECK:         %[[DOF:.*]] = arith.extf %[[DOT]]
// CHECK:         %[[OT:.*]] = tile.load %[[O]][%[[B]], %[[H]], %[[ROW]], %{{.*}}]
// CHECK:         %[[OF:.*]] = arith.extf %[[OT]]
// CHECK:         %[[PROD:.*]] = arith.mulf %[[DOF]], %[[OF]] : tensor<64x64xf32>
// CHECK:         %[[SUM:.*]] = tile.reduce sum %[[PROD]] : tensor<64x64xf32> -> tensor<64xf32>
// CHECK:         tile.store %[[SUM]], %[[DELTA]][%[[B]], %[[H]], %[[ROW]]] : tensor<64xf32>, memref<1x2x100xf32>
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<64x64xf32>
// CHECK:         tile.store %[[ZERO]], %[[ACC]][%[[B]], %[[H]], %[[ROW]], %{{.*}}]

// P = exp2(mask(Q·Kᵀ·scale·log2 e) − lse·log2 e), one tile per program
// over (B·H, row blocks, key blocks), stored in the element type.
// CHECK-LABEL: func.func private @attn_bwd_probs
// CHECK-SAME:    (%[[PQ:.*]]: memref<1x2x100x64xf16>, %[[PK:.*]]: memref<1x2x100x64xf16>, %[[PLSE:.*]]: memref<1x2x100xf32>, %[[P:.*]]: memref<1x2x100x100xf16>)
// CHECK-SAME:    grid = [2, 2, 2]
// CHECK:         %[[S:.*]] = tile.dot %{{.*}}, %{{.*}} transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
// CHECK:         %[[SS:.*]] = arith.mulf %[[S]], %{{.*}} : tensor<64x64xf32>
// CHECK:         %[[X:.*]] = tile.mask %[[SS]][%[[PROW:.*]], %[[PCOL:.*]]] cols 100 causal
// CHECK:         %[[L:.*]] = tile.load %[[PLSE]][%{{.*}}, %{{.*}}, %[[PROW]]] : memref<1x2x100xf32> -> tensor<64xf32>
// CHECK:         %[[L2:.*]] = arith.mulf %[[L]], %{{.*}} : tensor<64xf32>
// CHECK:         %[[LB:.*]] = tile.broadcast %[[L2]]
// CHECK:         %[[E:.*]] = arith.subf %[[X]], %[[LB]]
// CHECK:         %[[PF:.*]] = math.exp2 %[[E]]
// CHECK:         %[[PH:.*]] = arith.truncf %[[PF]] : tensor<64x64xf32> to tensor<64x64xf16>
// CHECK:         tile.store %[[PH]], %[[P]][%{{.*}}, %{{.*}}, %[[PROW]], %[[PCOL]]]

// One program per block of 64 keys; a causal one starts at the query block
// holding its first key. Its tiles have the keys along the rows: Pᵀ is the
// loaded P transposed, dV += Pᵀ·dO and dK += dSᵀ·Q take it and dSᵀ as A
// operands, dSᵀ = Pᵀ ∘ (V·dOᵀ − δ down the rows), dQ's part (dSᵀ)ᵀ·K added
// atomically; dK scaled once.
// CHECK-LABEL: func.func private @attn_bwd_dkdv
// CHECK-SAME:    (%[[Q:[^:]*]]: memref<1x2x100x64xf16>, %[[K:[^:]*]]: memref<1x2x100x64xf16>, %[[V:[^:]*]]: memref<1x2x100x64xf16>, %[[KDO:[^:]*]]: memref<1x2x100x64xf16>, %[[KDELTA:[^:]*]]: memref<1x2x100xf32>, %[[KP:[^:]*]]: memref<1x2x100x100xf16>, %[[KACC:[^:]*]]: memref<1x2x100x64xf32>, %[[DK:[^:]*]]: memref<1x2x100x64xf16>, %[[DV:[^:]*]]: memref<1x2x100x64xf16>)
// CHECK-SAME:    grid = [2, 2, 1]
// CHECK:         %[[KV0:.*]] = arith.muli
// CHECK:         %[[KT:.*]] = tile.load %[[K]][%{{.*}}, %{{.*}}, %[[KV0]], %{{.*}}]
// CHECK:         %[[VT:.*]] = tile.load %[[V]][%{{.*}}, %{{.*}}, %[[KV0]], %{{.*}}]
// CHECK:         %[[BLK:.*]] = arith.divui %[[KV0]], %[[BM:.*]] : index
// CHECK:         %[[START:.*]] = arith.muli %[[BLK]], %[[BM]] : index
// CHECK:         %[[LOOP:.*]]:2 = scf.for %[[I:.*]] = %[[START]] to %{{.*}} step %{{.*}} iter_args(%[[DKI:.*]] = %{{.*}}, %[[DVI:.*]] = %{{.*}})
// CHECK:           %[[QT:.*]] = tile.load %[[Q]][%{{.*}}, %{{.*}}, %[[I]], %{{.*}}]
// CHECK:           %[[DOT2:.*]] = tile.load %[[KDO]][%{{.*}}, %{{.*}}, %[[I]], %{{.*}}]
// CHECK:           %[[D:.*]] = tile.load %[[KDELTA]][%{{.*}}, %{{.*}}, %[[I]]] : memref<1x2x100xf32> -> tensor<64xf32>
// CHECK:           %[[PL:.*]] = tile.load %[[KP]][%{{.*}}, %{{.*}}, %[[I]], %[[KV0]]] : memref<1x2x100x100xf16> -> tensor<64x64xf16>
// CHECK:           %[[PT:.*]] = tile.transpose %[[PL]]
// CHECK:           %[[DVN:.*]] = tile.dot %[[PT]], %[[DOT2]], %[[DVI]] :
// CHECK:           %[[DP:.*]] = tile.dot %[[VT]], %[[DOT2]] transpose_rhs
// CHECK:           %[[PTF:.*]] = arith.extf %[[PT]]
// CHECK:           %[[DB:.*]] = tile.broadcast %[[D]] dim 0
// CHECK:           %[[DIFF:.*]] = arith.subf %[[DP]], %[[DB]]
// CHECK:           %[[DS:.*]] = arith.mulf %[[PTF]], %[[DIFF]]
// CHECK:           %[[DSH:.*]] = arith.truncf %[[DS]]
// CHECK:           %[[DKN:.*]] = tile.dot %[[DSH]], %[[QT]], %[[DKI]] :
// CHECK:           %[[DQP:.*]] = tile.dot %[[DSH]], %[[KT]] transpose_lhs
// CHECK:           tile.atomic_add %[[DQP]], %[[KACC]][%{{.*}}, %{{.*}}, %[[I]], %{{.*}}] : tensor<64x64xf32>, memref<1x2x100x64xf32>
// CHECK:           scf.yield %[[DKN]], %[[DVN]]
// CHECK:         %[[SCALE:.*]] = arith.constant dense<1.250000e-01>
// CHECK:         %[[DKS:.*]] = arith.mulf %[[LOOP]]#0, %[[SCALE]]
// CHECK:         %[[DKH:.*]] = arith.truncf %[[DKS]]
// CHECK:         tile.store %[[DKH]], %[[DK]][%{{.*}}, %{{.*}}, %[[KV0]], %{{.*}}]
// CHECK:         %[[DVH:.*]] = arith.truncf %[[LOOP]]#1
// CHECK:         tile.store %[[DVH]], %[[DV]][%{{.*}}, %{{.*}}, %[[KV0]], %{{.*}}]

// CHECK-LABEL: func.func private @attn_bwd_dq_convert
// CHECK:         %[[A:.*]] = tile.load %{{.*}} : memref<1x2x100x64xf32> -> tensor<64x64xf32>
// CHECK:         arith.mulf %[[A]], %{{.*}} : tensor<64x64xf32>

// The host: dQ's accumulator is an input of the dK/dV launch, which adds
// into it in place; the conversion, launched after it, reads it.
// CHECK-LABEL: func.func @grad
// CHECK:         %[[PRE:.*]]:2 = tile.launch @attn_bwd_preprocess(%{{.*}}, %{{.*}}) names ["do", "o", "delta", "dq_acc"]
// CHECK:         %[[PL:.*]] = tile.launch @attn_bwd_probs(%{{.*}}, %{{.*}}, %{{.*}}) names ["q", "k", "lse", "p"]
// CHECK:         %[[KVL:.*]]:2 = tile.launch @attn_bwd_dkdv(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[PRE]]#0, %[[PL]], %[[PRE]]#1) names ["q", "k", "v", "do", "delta", "p", "dq_acc", "dk", "dv"]
// CHECK:         %[[DQL:.*]] = tile.launch @attn_bwd_dq_convert(%[[PRE]]#1) names ["dq_acc", "dq"]
// CHECK:         return %[[DQL]], %[[KVL]]#0, %[[KVL]]#1

// Deterministic: no accumulator, no atomics; dQ has a kernel over query
// blocks whose causal loop stops after the block's last row.
// DET-LABEL: func.func private @attn_bwd_preprocess
// DET-SAME:    (%{{.*}}: memref<1x2x100x64xf16>, %{{.*}}: memref<1x2x100x64xf16>, %{{.*}}: memref<1x2x100xf32>)
// DET-NOT:   tile.atomic_add
// DET-LABEL: func.func private @attn_bwd_dq
// DET-SAME:    (%{{.*}}: memref<1x2x100x64xf16>, %{{.*}}: memref<1x2x100x64xf16>, %{{.*}}: memref<1x2x100x64xf16>, %{{.*}}: memref<1x2x100xf32>, %{{.*}}: memref<1x2x100x100xf16>, %[[DQ:.*]]: memref<1x2x100x64xf16>)
// DET:         %[[END:.*]] = arith.minui
// DET:         scf.for %{{.*}} = %{{.*}} to %[[END]]
// DET:           tile.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<64x64xf16>, tensor<64x64xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
// DET:         tile.store %{{.*}}, %[[DQ]]
// DET-LABEL: func.func @grad
// DET:         tile.launch @attn_bwd_preprocess({{.*}}) names ["do", "o", "delta"]
// DET:         tile.launch @attn_bwd_dkdv({{.*}}) names ["q", "k", "v", "do", "delta", "p", "dk", "dv"]
// DET:         tile.launch @attn_bwd_dq({{.*}}) names ["k", "v", "do", "delta", "p", "dq"]

// Testing only: dS without δ.
// NODELTA-LABEL: func.func private @attn_bwd_dkdv
// NODELTA:         %[[DP:.*]] = tile.dot %{{.*}}, %{{.*}} transpose_rhs
// NODELTA:         %[[PF:.*]] = arith.extf
// NODELTA-NOT:     tile.broadcast
// NODELTA:         arith.mulf %[[PF]], %[[DP]]

// 32 query rows per step do not fill 4 warps of 16 rows: dQ is computed
// transposed, Kᵀ·dSᵀ (D = 64 rows), and added transposed. The kernels
// whose tiles are query rows run on 2 warps.
// DQT-LABEL: func.func private @attn_bwd_preprocess
// DQT-SAME:    warps = 2, block_m = 32
// DQT-LABEL: func.func private @attn_bwd_dkdv
// DQT-SAME:    warps = 4, block_m = 32, block_n = 64
// DQT:         %[[KT:.*]] = tile.load %{{.*}} -> tensor<64x64xf16>
// DQT:         %[[DSH:.*]] = arith.truncf %{{.*}} : tensor<64x32xf32> to tensor<64x32xf16>
// DQT:         %[[DQT:.*]] = tile.dot %[[KT]], %[[DSH]] transpose_lhs : tensor<64x64xf16>, tensor<64x32xf16> -> tensor<64x32xf32>
// DQT:         tile.atomic_add %[[DQT]], %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] transpose : tensor<64x32xf32>, memref<1x2x100x64xf32>
