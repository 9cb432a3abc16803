// RUN: attn-opt %s -attn-select-tiling=chip=sm_90a | FileCheck %s --check-prefix=SELECT
// RUN: attn-opt %s -attn-select-tiling=chip=sm_90a -attn-tile | FileCheck %s
// RUN: attn-opt %s --attn-report-cost -o /dev/null | FileCheck %s --check-prefix=REPORT
// RUN: attn-opt %s -attn-select-tiling=chip=sm_90a -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize | FileCheck %s --check-prefix=PRODUCER

// Packed sequences of different lengths (3 sequences, 137 queries and 150
// keys in all, GQA 4/2, causal): the row blocks of every sequence along
// grid x, floor(137 / 64) + 3 = 5 programs; sequence s's blocks start at
// key(s) = floor(cu_q[s] / 64) + s, and a program finds its sequence by a
// binary search over the offsets (2 steps for 3 sequences) and its row
// block as x - key(s). It views its sequence's rows of Q, O and lse and
// keys of K and V (memref.subview at the offsets it loads), so the masks,
// the loop bounds and the stores are the sequence's. On sm_90a the tiling
// is wgmma (the copies read the views' arguments at their offsets:
// attn-promote-tma).

// SELECT: {tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma>}

// The producer warpgroup loads the offsets again (nothing writes them) and
// copies from the arguments' maps at the views' offsets; the compute warps
// store through the views.
// PRODUCER-LABEL: func.func private @attn_fwd(
// PRODUCER-SAME:    %[[CUQ:[^:]*]]: memref<4xi32>, %[[CUK:[^:]*]]: memref<4xi32>,
// PRODUCER:         tile.warp_specialize
// PRODUCER-SAME:    producer {
// PRODUCER:           %[[QROW0:.*]] = memref.load %[[CUQ]]
// PRODUCER:           tile.tma_load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}]
// PRODUCER:           memref.load %[[CUK]]
// PRODUCER:           scf.for
// PRODUCER:             tile.tma_load
// PRODUCER:         } compute {
// PRODUCER-NOT:       tile.tma_load
// PRODUCER:           tile.store %{{.*}}, %subview
// PRODUCER:         return

// The cost report cannot know the lengths: one sequence's figures, said.
// REPORT: attn_fwd
// REPORT: packed sequences: the figures are those of one sequence of all Nq queries and Nk keys, an upper bound

// CHECK-LABEL: func.func private @attn_fwd(
// CHECK-SAME:    %[[Q:[^:]*]]: memref<1x4x137x64xbf16>, %[[K:[^:]*]]: memref<1x2x150x64xbf16>, %[[V:[^:]*]]: memref<1x2x150x64xbf16>, %[[CUQ:[^:]*]]: memref<4xi32>, %[[CUK:[^:]*]]: memref<4xi32>, %[[O:[^:]*]]: memref<1x4x137x64xbf16>, %[[LSE:[^:]*]]: memref<1x4x137xf32>)
// CHECK-SAME:    grid = [5, 4, 1]
// CHECK:         %[[H:.*]] = tile.program_id 1
// CHECK:         %[[X:.*]] = tile.program_id 0
// The search: take s + 2, then s + 1, where in range and key <= x.
// CHECK:         %[[CAND1:.*]] = arith.addi %c0{{.*}}, %c2{{.*}} : index
// CHECK:         %[[IN1:.*]] = arith.cmpi ult, %[[CAND1]], %{{.*}} : index
// CHECK:         %[[AT1:.*]] = arith.minui %[[CAND1]], %{{.*}} : index
// CHECK:         %[[CU1:.*]] = memref.load %[[CUQ]][%[[AT1]]] : memref<4xi32>
// CHECK:         %[[F1:.*]] = arith.index_castui %[[CU1]] : i32 to index
// CHECK:         %[[B1:.*]] = arith.divui %[[F1]], %c64{{.*}} : index
// CHECK:         %[[KEY1:.*]] = arith.addi %[[B1]], %[[AT1]] : index
// CHECK:         %[[LE1:.*]] = arith.cmpi ule, %[[KEY1]], %[[X]] : index
// CHECK:         %[[T1:.*]] = arith.andi %[[IN1]], %[[LE1]] : i1
// CHECK:         %[[S1:.*]] = arith.select %[[T1]], %[[CAND1]], %c0{{.*}} : index
// CHECK:         %[[CAND2:.*]] = arith.addi %[[S1]], %c1{{.*}} : index
// CHECK:         %[[S:.*]] = arith.select %{{.*}}, %[[CAND2]], %[[S1]] : index
// CHECK:         memref.load %[[CUQ]][%[[S]]]
// CHECK:         %[[KEY:.*]] = arith.addi %{{.*}}, %[[S]] : index
// CHECK:         %[[BLOCK:.*]] = arith.subi %[[X]], %[[KEY]] : index
// CHECK:         %[[NEXT:.*]] = arith.addi %[[S]], %c1
// CHECK:         %[[Q0I:.*]] = memref.load %[[CUQ]][%[[S]]] : memref<4xi32>
// CHECK:         %[[Q0:.*]] = arith.index_castui %[[Q0I]] : i32 to index
// CHECK:         %[[Q1I:.*]] = memref.load %[[CUQ]][%[[NEXT]]] : memref<4xi32>
// CHECK:         %[[Q1:.*]] = arith.index_castui %[[Q1I]] : i32 to index
// CHECK:         %[[NQ:.*]] = arith.subi %[[Q1]], %[[Q0]] : index
// CHECK:         %[[QS:.*]] = memref.subview %[[Q]][0, 0, %[[Q0]], 0] [1, 4, %[[NQ]], 64] [1, 1, 1, 1]
// CHECK:         %[[OS:.*]] = memref.subview %[[O]][0, 0, %[[Q0]], 0] [1, 4, %[[NQ]], 64] [1, 1, 1, 1]
// CHECK:         %[[LS:.*]] = memref.subview %[[LSE]][0, 0, %[[Q0]]] [1, 4, %[[NQ]]] [1, 1, 1]
// CHECK:         memref.load %[[CUK]][%[[S]]]
// CHECK:         memref.load %[[CUK]][%[[NEXT]]]
// CHECK:         %[[KS:.*]] = memref.subview %[[K]][0, 0, %{{.*}}, 0] [1, 2, %[[NK:.*]], 64] [1, 1, 1, 1]
// CHECK:         %[[VS:.*]] = memref.subview %[[V]][0, 0, %{{.*}}, 0] [1, 2, %[[NK]], 64] [1, 1, 1, 1]
// CHECK:         %[[ROW0:.*]] = arith.muli %[[BLOCK]], %c64
// CHECK:         tile.load %[[QS]][%c0{{.*}}, %[[H]], %[[ROW0]], %{{.*}}]
// A row block past the sequence's rows runs no step.
// CHECK:         %[[ACTIVE:.*]] = arith.cmpi ult, %[[ROW0]], %{{.*}} : index
// CHECK:         %[[END:.*]] = arith.select %[[ACTIVE]], %{{.*}}, %{{.*}} : index
// CHECK:         arith.constant dense<-3.40282347E+38>
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %[[END]]
// CHECK:           tile.load %[[KS]]
// CHECK:           tile.mask %{{.*}}[%{{.*}}, %[[J]]] cols %{{.*}} causal
// CHECK:         scf.for
// CHECK:           tile.load %[[VS]]
// CHECK:         tile.store %{{.*}}, %[[OS]][%c0{{.*}}, %[[H]], %[[ROW0]], %{{.*}}]
// CHECK:         tile.store %{{.*}}, %[[LS]][%c0{{.*}}, %[[H]], %[[ROW0]]]

// CHECK-LABEL: func.func @sequences
// CHECK:         tile.launch @attn_fwd(%arg0, %arg1, %arg2, %arg3, %arg4) names ["q", "k", "v", "cu_q", "cu_k", "o", "lse"]

func.func @sequences(%q: tensor<1x4x137x64xbf16>, %k: tensor<1x2x150x64xbf16>,
                     %v: tensor<1x2x150x64xbf16>, %cu_q: tensor<4xi32>,
                     %cu_k: tensor<4xi32>)
    -> (tensor<1x4x137x64xbf16>, tensor<1x4x137xf32>) {
  %o, %lse = attn.attention %q, %k, %v sequences(%cu_q, %cu_k) causal
      : tensor<1x4x137x64xbf16>, tensor<1x2x150x64xbf16>, tensor<1x2x150x64xbf16>,
        tensor<4xi32>, tensor<4xi32> -> tensor<1x4x137x64xbf16>, tensor<1x4x137xf32>
  return %o, %lse : tensor<1x4x137x64xbf16>, tensor<1x4x137xf32>
}
