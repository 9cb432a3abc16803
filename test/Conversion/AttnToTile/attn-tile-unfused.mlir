// RUN: attn-opt %s -split-input-file -attn-tile-unfused | FileCheck %s

// Standard attention: three kernels with S = scale·Q·Kᵀ (masked) and
// P = softmax(S) as full [B, H, N, N] tensors between three tile.launch ops.

// D = 64: block-m 128, block-n 64, 8 warps. N = 200 gives a ragged grid
// (⌈200/128⌉ = 2 row blocks, ⌈200/64⌉ = 4 column blocks).

// CHECK-LABEL: func.func private @attn_scores
// CHECK-SAME:    (%[[Q:.*]]: memref<1x2x200x64xf16>, %[[K:.*]]: memref<1x2x200x64xf16>, %[[S:.*]]: memref<1x2x200x200xf16>)
// CHECK-SAME:    attributes {tile.config = #tile.config<grid = [2, 2, 4], warps = 8, {{.*}}>}
// CHECK:         %[[BM:.*]] = arith.constant 128 : index
// CHECK:         %[[PID1:.*]] = tile.program_id 1
// CHECK:         %[[ROW0:.*]] = arith.muli %[[PID1]], %[[BM]]
// CHECK:         %[[BN:.*]] = arith.constant 64 : index
// CHECK:         %[[PID2:.*]] = tile.program_id 2
// CHECK:         %[[COL0:.*]] = arith.muli %[[PID2]], %[[BN]]
// CHECK:         %[[QT:.*]] = tile.load %[[Q]][%{{.*}}, %{{.*}}, %[[ROW0]], %{{.*}}] : memref<1x2x200x64xf16> -> tensor<128x64xf16>
// CHECK:         %[[KT:.*]] = tile.load %[[K]][%{{.*}}, %{{.*}}, %[[COL0]], %{{.*}}] : memref<1x2x200x64xf16> -> tensor<64x64xf16>
// CHECK:         %[[QK:.*]] = tile.dot %[[QT]], %[[KT]] transpose_rhs : tensor<128x64xf16>, tensor<64x64xf16> -> tensor<128x64xf32>
// CHECK:         %[[SCALE:.*]] = arith.constant dense<1.250000e-01> : tensor<128x64xf32>
// CHECK:         %[[SS:.*]] = arith.mulf %[[QK]], %[[SCALE]]
// CHECK:         %[[SM:.*]] = tile.mask %[[SS]][%[[ROW0]], %[[COL0]]] cols 200 causal : tensor<128x64xf32>
// CHECK:         %[[S16:.*]] = arith.truncf %[[SM]] : tensor<128x64xf32> to tensor<128x64xf16>
// CHECK:         tile.store %[[S16]], %[[S]][%{{.*}}, %{{.*}}, %[[ROW0]], %[[COL0]]] : tensor<128x64xf16>, memref<1x2x200x200xf16>
// CHECK-NOT:     scf.for
// CHECK:         return
//
// Softmax: three loops over the columns of S (max, sum, normalized write).
// CHECK-LABEL: func.func private @attn_softmax
// CHECK-SAME:    (%[[SIN:.*]]: memref<1x2x200x200xf16>, %[[P:.*]]: memref<1x2x200x200xf16>)
// CHECK-SAME:    attributes {tile.config = #tile.config<grid = [2, 2, 1], warps = 8, {{.*}}>}
// CHECK:         %[[M:.*]] = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[MI:.*]] = %{{.*}}) -> (tensor<128xf32>) {
// CHECK:           %[[T:.*]] = tile.load %[[SIN]][%{{.*}}, %{{.*}}, %{{.*}}, %[[J]]] : memref<1x2x200x200xf16> -> tensor<128x64xf16>
// CHECK:           %[[LOG2E:.*]] = arith.constant dense<1.44269502> : tensor<128x64xf32>
// CHECK:           %[[T32:.*]] = arith.extf %[[T]] : tensor<128x64xf16> to tensor<128x64xf32>
// CHECK:           %[[X:.*]] = arith.mulf %[[T32]], %[[LOG2E]]
// CHECK:           %[[XM:.*]] = tile.mask %[[X]][%{{.*}}, %[[J]]] cols 200 : tensor<128x64xf32>
// CHECK:           %[[RM:.*]] = tile.reduce max %[[XM]]
// CHECK:           %[[MN:.*]] = arith.maximumf %[[MI]], %[[RM]]
// CHECK:           scf.yield %[[MN]]
// CHECK:         }
// CHECK:         %[[MB:.*]] = tile.broadcast %[[M]] : tensor<128xf32> -> tensor<128x64xf32>
// CHECK:         %[[L:.*]] = scf.for %{{.*}} iter_args(%[[LI:.*]] = %{{.*}}) -> (tensor<128xf32>) {
// CHECK:           %[[D:.*]] = arith.subf %{{.*}}, %[[MB]]
// CHECK:           %[[E:.*]] = math.exp2 %[[D]]
// CHECK:           %[[RS:.*]] = tile.reduce sum %[[E]]
// CHECK:           %[[LN:.*]] = arith.addf %[[LI]], %[[RS]]
// CHECK:           scf.yield %[[LN]]
// CHECK:         }
// CHECK:         %[[LB:.*]] = tile.broadcast %[[L]] : tensor<128xf32> -> tensor<128x64xf32>
// CHECK:         scf.for %[[J3:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:           %[[D3:.*]] = arith.subf %{{.*}}, %[[MB]]
// CHECK:           %[[E3:.*]] = math.exp2 %[[D3]]
// CHECK:           %[[PN:.*]] = arith.divf %[[E3]], %[[LB]]
// CHECK:           %[[P16:.*]] = arith.truncf %[[PN]] : tensor<128x64xf32> to tensor<128x64xf16>
// CHECK:           tile.store %[[P16]], %[[P]][%{{.*}}, %{{.*}}, %{{.*}}, %[[J3]]] : tensor<128x64xf16>, memref<1x2x200x200xf16>
// CHECK:         }
// CHECK-NOT:     scf.for
// CHECK:         return
//
// O = P·V: one loop accumulating into the dot's accumulator.
// CHECK-LABEL: func.func private @attn_pv
// CHECK-SAME:    (%[[PIN:.*]]: memref<1x2x200x200xf16>, %[[V:.*]]: memref<1x2x200x64xf16>, %[[O:.*]]: memref<1x2x200x64xf16>)
// CHECK-SAME:    attributes {tile.config = #tile.config<grid = [2, 2, 1], warps = 8, {{.*}}>}
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<128x64xf32>
// CHECK:         %[[ACC:.*]] = scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[AI:.*]] = %[[ZERO]]) -> (tensor<128x64xf32>) {
// CHECK:           %[[PT:.*]] = tile.load %[[PIN]][%{{.*}}, %{{.*}}, %{{.*}}, %[[J]]] : memref<1x2x200x200xf16> -> tensor<128x64xf16>
// CHECK:           %[[VT:.*]] = tile.load %[[V]][%{{.*}}, %{{.*}}, %[[J]], %{{.*}}] : memref<1x2x200x64xf16> -> tensor<64x64xf16>
// CHECK:           %[[AN:.*]] = tile.dot %[[PT]], %[[VT]], %[[AI]] : tensor<128x64xf16>, tensor<64x64xf16>, tensor<128x64xf32> -> tensor<128x64xf32>
// CHECK:           scf.yield %[[AN]]
// CHECK:         }
// CHECK:         %[[O16:.*]] = arith.truncf %[[ACC]] : tensor<128x64xf32> to tensor<128x64xf16>
// CHECK:         tile.store %[[O16]], %[[O]]
//
// The host: S and P flow between the launches.
// CHECK-LABEL: func.func @attention
// CHECK-SAME:    (%[[AQ:.*]]: tensor<1x2x200x64xf16>, %[[AK:.*]]: tensor<1x2x200x64xf16>, %[[AV:.*]]: tensor<1x2x200x64xf16>)
// CHECK-NOT:     attn.attention
// CHECK:         %[[SV:.*]] = tile.launch @attn_scores(%[[AQ]], %[[AK]]) names ["q", "k", "s"]
// CHECK-SAME:      : (tensor<1x2x200x64xf16>, tensor<1x2x200x64xf16>) -> tensor<1x2x200x200xf16>
// CHECK:         %[[PV:.*]] = tile.launch @attn_softmax(%[[SV]]) names ["s", "p"]
// CHECK-SAME:      : (tensor<1x2x200x200xf16>) -> tensor<1x2x200x200xf16>
// CHECK:         %[[OV:.*]] = tile.launch @attn_pv(%[[PV]], %[[AV]]) names ["p", "v", "o"]
// CHECK-SAME:      : (tensor<1x2x200x200xf16>, tensor<1x2x200x64xf16>) -> tensor<1x2x200x64xf16>
// CHECK:         return %[[OV]]

func.func @attention(%q: tensor<1x2x200x64xf16>, %k: tensor<1x2x200x64xf16>,
                     %v: tensor<1x2x200x64xf16>) -> tensor<1x2x200x64xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x200x64xf16>, tensor<1x2x200x64xf16>, tensor<1x2x200x64xf16>
      -> tensor<1x2x200x64xf16>
  return %o : tensor<1x2x200x64xf16>
}

// -----

// Without causal the scores are masked for ragged columns only; an f32
// problem keeps S and P in f32 (no truncf, no extf).

// CHECK-LABEL: func.func private @attn_scores
// CHECK-SAME:    memref<2x1x64x32xf32>, %{{.*}}: memref<2x1x64x32xf32>, %{{.*}}: memref<2x1x64x64xf32>)
// CHECK:         arith.constant dense<2.000000e+00> : tensor<128x64xf32>
// CHECK:         tile.mask %{{.*}}[%{{.*}}, %{{.*}}] cols 64 : tensor<128x64xf32>
// CHECK-NOT:     arith.truncf
// CHECK:         tile.store %{{.*}}, %{{.*}} : tensor<128x64xf32>, memref<2x1x64x64xf32>
// CHECK-LABEL: func.func private @attn_softmax
// CHECK-NOT:     arith.extf
// CHECK-NOT:     arith.truncf
// CHECK:         return
// CHECK-LABEL: func.func private @attn_pv
// CHECK-LABEL: func.func @no_causal
// CHECK:         tile.launch @attn_scores
// CHECK-SAME:      -> tensor<2x1x64x64xf32>

func.func @no_causal(%q: tensor<2x1x64x32xf32>, %k: tensor<2x1x64x32xf32>,
                     %v: tensor<2x1x64x32xf32>) -> tensor<2x1x64x32xf32> {
  %o = attn.attention %q, %k, %v scale 2.0
      : tensor<2x1x64x32xf32>, tensor<2x1x64x32xf32>, tensor<2x1x64x32xf32>
      -> tensor<2x1x64x32xf32>
  return %o : tensor<2x1x64x32xf32>
}

// -----

// Two problems in one module get distinct kernel names.

// CHECK-LABEL: func.func private @attn_scores(
// CHECK-LABEL: func.func private @attn_softmax(
// CHECK-LABEL: func.func private @attn_pv(
// CHECK-LABEL: func.func private @attn_scores_0(
// CHECK-LABEL: func.func private @attn_softmax_0(
// CHECK-LABEL: func.func private @attn_pv_0(
// CHECK-LABEL: func.func @two
// CHECK:         tile.launch @attn_scores(
// CHECK:         tile.launch @attn_softmax(
// CHECK:         tile.launch @attn_pv(
// CHECK:         tile.launch @attn_scores_0(
// CHECK:         tile.launch @attn_softmax_0(
// CHECK:         tile.launch @attn_pv_0(

func.func @two(%a: tensor<1x1x64x64xbf16>) -> (tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>) {
  %0 = attn.attention %a, %a, %a
      : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>
      -> tensor<1x1x64x64xbf16>
  %1 = attn.attention %a, %a, %a causal
      : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>
      -> tensor<1x1x64x64xbf16>
  return %0, %1 : tensor<1x1x64x64xbf16>, tensor<1x1x64x64xbf16>
}

// -----

// Grouped-query heads and Nq != Nk: S and P are [B, H, Nq, Nk]; the scores
// and P·V kernels read K/V head h / (H / Hkv); the causal mask's rows are
// shifted by Nk - Nq (bottom-right alignment).

// CHECK-LABEL: func.func private @attn_scores
// CHECK-SAME:    memref<1x8x100x64xf16>, %{{.*}}: memref<1x2x300x64xf16>, %{{.*}}: memref<1x8x100x300xf16>
// CHECK-SAME:    grid = [8, 1, 5]
// CHECK:         %[[H:.*]] = arith.remui
// CHECK:         %[[GROUP:.*]] = arith.constant 4 : index
// CHECK:         %[[HKV:.*]] = arith.divui %[[H]], %[[GROUP]]
// CHECK:         tile.load %{{.*}}[%{{.*}}, %[[HKV]], %{{.*}}, %{{.*}}] : memref<1x2x300x64xf16>
// CHECK:         %[[OFFSET:.*]] = arith.constant 200 : index
// CHECK:         %[[ROW:.*]] = arith.addi %{{.*}}, %[[OFFSET]]
// CHECK:         tile.mask %{{.*}}[%[[ROW]], %{{.*}}] cols 300 causal
// CHECK-LABEL: func.func private @attn_softmax
// CHECK-SAME:    memref<1x8x100x300xf16>, %{{.*}}: memref<1x8x100x300xf16>
// CHECK-LABEL: func.func private @attn_pv
// CHECK:         arith.divui %{{.*}}, %{{.*}}
// CHECK:         scf.for %{{.*}} = %{{.*}} to %c300
// CHECK:           tile.load %{{.*}} : memref<1x2x300x64xf16>

func.func @gqa_cross(%q: tensor<1x8x100x64xf16>, %k: tensor<1x2x300x64xf16>,
                     %v: tensor<1x2x300x64xf16>) -> tensor<1x8x100x64xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x8x100x64xf16>, tensor<1x2x300x64xf16>, tensor<1x2x300x64xf16>
      -> tensor<1x8x100x64xf16>
  return %o : tensor<1x8x100x64xf16>
}
