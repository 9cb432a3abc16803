// RUN: attn-opt %s -split-input-file | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s

// Round-trip of the backward pass's forms of the tile ops (custom syntax and
// generic form): tile.dot with transpose_lhs (alone, with an accumulator and
// with transpose_rhs), tile.load of an f32 row vector along the last
// dimension, and tile.atomic_add.

// CHECK-LABEL: func.func @dot_transpose_lhs
// CHECK-SAME:    (%[[P:.*]]: tensor<64x32xf16>, %[[DO:.*]]: tensor<64x16xf16>, %[[ACC:.*]]: tensor<32x16xf32>, %[[Q:.*]]: tensor<16x64xf16>)
// CHECK:         %{{.*}} = tile.dot %[[P]], %[[DO]] transpose_lhs : tensor<64x32xf16>, tensor<64x16xf16> -> tensor<32x16xf32>
// CHECK:         %{{.*}} = tile.dot %[[P]], %[[DO]], %[[ACC]] transpose_lhs : tensor<64x32xf16>, tensor<64x16xf16>, tensor<32x16xf32> -> tensor<32x16xf32>
// CHECK:         %{{.*}} = tile.dot %[[P]], %[[Q]] transpose_lhs transpose_rhs : tensor<64x32xf16>, tensor<16x64xf16> -> tensor<32x16xf32>
func.func @dot_transpose_lhs(%p: tensor<64x32xf16>, %do: tensor<64x16xf16>,
                             %acc: tensor<32x16xf32>, %q: tensor<16x64xf16>)
    -> (tensor<32x16xf32>, tensor<32x16xf32>, tensor<32x16xf32>) {
  // Pᵀ·dO: 32x64 · 64x16.
  %dv = tile.dot %p, %do transpose_lhs
      : tensor<64x32xf16>, tensor<64x16xf16> -> tensor<32x16xf32>
  %dv2 = tile.dot %p, %do, %acc transpose_lhs
      : tensor<64x32xf16>, tensor<64x16xf16>, tensor<32x16xf32> -> tensor<32x16xf32>
  // Both transposed: 32x64 · (16x64)ᵀ.
  %both = tile.dot %p, %q transpose_lhs transpose_rhs
      : tensor<64x32xf16>, tensor<16x64xf16> -> tensor<32x16xf32>
  return %dv, %dv2, %both : tensor<32x16xf32>, tensor<32x16xf32>, tensor<32x16xf32>
}

// -----

// A row vector (one f32 per tile row: a logsumexp, a δ) read along the last
// dimension of a memref.

// CHECK-LABEL: func.func @row_load
// CHECK-SAME:    (%[[LSE:.*]]: memref<1x2x40xf32>, %[[B:.*]]: index, %[[H:.*]]: index, %[[ROW:.*]]: index)
// CHECK:         %{{.*}} = tile.load %[[LSE]][%[[B]], %[[H]], %[[ROW]]] : memref<1x2x40xf32> -> tensor<64xf32>
func.func @row_load(%lse: memref<1x2x40xf32>, %b: index, %h: index,
                    %row: index) -> tensor<64xf32> {
  %r = tile.load %lse[%b, %h, %row] : memref<1x2x40xf32> -> tensor<64xf32>
  return %r : tensor<64xf32>
}

// -----

// CHECK-LABEL: func.func @atomic_add
// CHECK-SAME:    (%[[DQ:.*]]: tensor<64x16xf32>, %[[ACC:.*]]: memref<1x2x40x16xf32>, %[[I:.*]]: index)
// CHECK:         tile.atomic_add %[[DQ]], %[[ACC]][%[[I]], %[[I]], %[[I]], %[[I]]] : tensor<64x16xf32>, memref<1x2x40x16xf32>
func.func @atomic_add(%dq: tensor<64x16xf32>, %acc: memref<1x2x40x16xf32>,
                      %i: index) {
  tile.atomic_add %dq, %acc[%i, %i, %i, %i]
      : tensor<64x16xf32>, memref<1x2x40x16xf32>
  return
}

// tile.local_store: a register tile into a shared slot.
// CHECK-LABEL: func.func @local_store
// CHECK:         tile.local_store %{{.*}}, %{{.*}}[%{{.*}}] : tensor<64x64xf16>, <1x64x64xf16, #tile.shared<pad = 8>>
func.func @local_store(%t: tensor<64x64xf16>) {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #tile.shared<pad = 8>>
  tile.local_store %t, %buf[%c0] : tensor<64x64xf16>, !tile.buffer<1x64x64xf16, #tile.shared<pad = 8>>
  return
}

// -----

// The keys-along-rows forms of the backward's main kernel: a vector
// broadcast down the rows (one value per column), a mask of transposed
// scores, a transposed atomic add, and tile.transpose (rungs 2-3).

// CHECK-LABEL: func.func @keys_along_rows
// CHECK:         %[[B:.*]] = tile.broadcast %{{.*}} dim 0 : tensor<64xf32> -> tensor<128x64xf32>
// CHECK:         %[[M:.*]] = tile.mask %[[B]][%{{.*}}, %{{.*}}] cols 200 causal transposed : tensor<128x64xf32>
// CHECK:         tile.atomic_add %[[M]], %{{.*}}[%{{.*}}, %{{.*}}] transpose : tensor<128x64xf32>, memref<200x128xf32>
// CHECK:         %{{.*}} = tile.transpose %[[M]] : tensor<128x64xf32> -> tensor<64x128xf32>
// CHECK:         %{{.*}} = tile.broadcast %{{.*}} : tensor<64xf32> -> tensor<64x128xf32>
func.func @keys_along_rows(%lse: tensor<64xf32>, %acc: memref<200x128xf32>,
                           %k0: index, %q0: index) -> tensor<64x128xf32> {
  %b = tile.broadcast %lse dim 0 : tensor<64xf32> -> tensor<128x64xf32>
  %m = tile.mask %b[%k0, %q0] cols 200 causal transposed : tensor<128x64xf32>
  tile.atomic_add %m, %acc[%q0, %k0] transpose : tensor<128x64xf32>, memref<200x128xf32>
  %t = tile.transpose %m : tensor<128x64xf32> -> tensor<64x128xf32>
  %rows = tile.broadcast %lse dim 1 : tensor<64xf32> -> tensor<64x128xf32>
  return %t : tensor<64x128xf32>
}
