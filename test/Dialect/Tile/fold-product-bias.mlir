// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/fold.mlir -split-input-file -attn-fold-product-bias | FileCheck %t/fold.mlir
// RUN: attn-opt %t/backward.mlir -attn-select-tiling="block-m=64 block-n=64 num-warps=4" -attn-tile -attn-recompute-probabilities -attn-fold-score-scale -attn-fold-product-bias | FileCheck %t/backward.mlir
// RUN: attn-opt %t/not-a-kernel.mlir -attn-fold-product-bias -verify-diagnostics

// A product whose only use subtracts a broadcast vector from it starts its
// accumulator at the broadcast of the negated vector instead: the same sum,
// no subtract, and the vector free once the product starts. Anything else
// is left alone.

//--- fold.mlir

// Column vector (broadcast down the rows, as the backward's δ): the
// negated vector is broadcast where the product starts and becomes its
// accumulator; the subtraction and the old broadcast are gone.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @column_vector
// CHECK-SAME:    (%[[A:.*]]: tensor<64x32xf16>, %[[B:.*]]: tensor<64x32xf16>, %[[V:.*]]: tensor<64xf32>, %[[P:.*]]: tensor<64x64xf32>)
// CHECK-NEXT:    %[[N:.*]] = arith.negf %[[V]] : tensor<64xf32>
// CHECK-NEXT:    %[[Z:.*]] = tile.broadcast %[[N]] dim 0 : tensor<64xf32> -> tensor<64x64xf32>
// CHECK-NEXT:    %[[D:.*]] = tile.dot %[[A]], %[[B]], %[[Z]] transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
// CHECK-NEXT:    %[[R:.*]] = arith.mulf %[[P]], %[[D]] : tensor<64x64xf32>
// CHECK-NEXT:    return %[[R]]
func.func private @column_vector(%a: tensor<64x32xf16>, %b: tensor<64x32xf16>, %v: tensor<64xf32>, %p: tensor<64x64xf32>)
    -> tensor<64x64xf32> attributes {tile.config = #cfg} {
  %d = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %vb = tile.broadcast %v dim 0 : tensor<64xf32> -> tensor<64x64xf32>
  %t = arith.subf %d, %vb : tensor<64x64xf32>
  %r = arith.mulf %p, %t : tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// -----

// Row vector (broadcast along the columns), its broadcast used elsewhere
// too: that broadcast stays for its other use.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @row_vector
// CHECK-SAME:    (%[[A:.*]]: tensor<64x32xf16>, %[[B:.*]]: tensor<32x64xf16>, %[[V:.*]]: tensor<64xf32>)
// CHECK-NEXT:    %[[N:.*]] = arith.negf %[[V]] : tensor<64xf32>
// CHECK-NEXT:    %[[Z:.*]] = tile.broadcast %[[N]] : tensor<64xf32> -> tensor<64x64xf32>
// CHECK-NEXT:    %[[D:.*]] = tile.dot %[[A]], %[[B]], %[[Z]] : tensor<64x32xf16>, tensor<32x64xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
// CHECK-NEXT:    %[[VB:.*]] = tile.broadcast %[[V]] : tensor<64xf32> -> tensor<64x64xf32>
// CHECK-NEXT:    return %[[D]], %[[VB]]
func.func private @row_vector(%a: tensor<64x32xf16>, %b: tensor<32x64xf16>, %v: tensor<64xf32>)
    -> (tensor<64x64xf32>, tensor<64x64xf32>) attributes {tile.config = #cfg} {
  %d = tile.dot %a, %b : tensor<64x32xf16>, tensor<32x64xf16> -> tensor<64x64xf32>
  %vb = tile.broadcast %v : tensor<64xf32> -> tensor<64x64xf32>
  %t = arith.subf %d, %vb : tensor<64x64xf32>
  return %t, %vb : tensor<64x64xf32>, tensor<64x64xf32>
}

// -----

// Left alone: a product with an accumulator of its own, a product with a
// second use, a product subtracted from something (not subtracted from), a
// subtraction of a full tile, and a vector computed after the product.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @left_alone
// CHECK-NOT:     arith.negf
// CHECK-COUNT-5: arith.subf
// CHECK-NOT:     arith.negf
// CHECK:         return
func.func private @left_alone(%a: tensor<64x32xf16>, %b: tensor<64x32xf16>, %v: tensor<64xf32>,
                              %acc: tensor<64x64xf32>, %full: tensor<64x64xf32>)
    -> (tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>)
    attributes {tile.config = #cfg} {
  %vb = tile.broadcast %v dim 0 : tensor<64xf32> -> tensor<64x64xf32>
  %d0 = tile.dot %a, %b, %acc transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
  %t0 = arith.subf %d0, %vb : tensor<64x64xf32>
  %d1 = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %t1 = arith.subf %d1, %vb : tensor<64x64xf32>
  %d2 = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %t2 = arith.subf %vb, %d2 : tensor<64x64xf32>
  %d3 = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %t3 = arith.subf %d3, %full : tensor<64x64xf32>
  %d4 = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %late = arith.addf %v, %v : tensor<64xf32>
  %lb = tile.broadcast %late dim 0 : tensor<64xf32> -> tensor<64x64xf32>
  %t4 = arith.subf %d4, %lb : tensor<64x64xf32>
  return %t0, %t1, %d1, %t2, %t3, %t4 : tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>
}

//--- backward.mlir

// The fused backward's dK/dV kernel: dPᵀ = V·dOᵀ starts at -δ (the
// column vector loaded at the top of the step), so dSᵀ = Pᵀ ∘ (dPᵀ - δ) is
// one multiply; the recomputed Sᵀ·c - lse is one contractable pair
// (attn-fold-score-scale) and keeps no accumulator.

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

// CHECK-LABEL: func.func private @attn_bwd_dkdv
// CHECK-SAME:    %[[DELTA:[^:]*]]: memref<1x2x100xf32>, %{{[^:]*}}: memref<1x2x100x64xf32>, %{{[^:]*}}: memref<1x2x100xf32>
// CHECK:         %[[KR:.*]] = tile.load
// CHECK-NEXT:    %[[VR:.*]] = tile.load
// CHECK:         scf.for
// CHECK-NEXT:      %[[QR:.*]] = tile.load
// CHECK-NEXT:      %[[DOR:.*]] = tile.load
// CHECK:           %[[D:.*]] = tile.load %[[DELTA]]
// CHECK:           %[[S:.*]] = tile.dot %[[KR]], %[[QR]] transpose_rhs :
// CHECK:           %[[SC:.*]] = arith.mulf %{{.*}} fastmath<contract>
// CHECK:           %[[T:.*]] = arith.subf %[[SC]], %{{.*}} fastmath<contract>
// CHECK:           %[[P:.*]] = math.exp2 %[[T]]
// CHECK:           %[[N:.*]] = arith.negf %[[D]] : tensor<64xf32>
// CHECK-NEXT:      %[[Z:.*]] = tile.broadcast %[[N]] dim 0 : tensor<64xf32> -> tensor<64x64xf32>
// CHECK-NEXT:      %[[DP:.*]] = tile.dot %[[VR]], %[[DOR]], %[[Z]] transpose_rhs
// CHECK-NEXT:      %[[DS:.*]] = arith.mulf %[[P]], %[[DP]] : tensor<64x64xf32>
// CHECK-NOT:       arith.subf
// CHECK:           scf.yield

//--- not-a-kernel.mlir

// expected-error @below {{attn-fold-product-bias: the module holds no tile kernel (the pass runs on rungs 2-4)}}
module {
  func.func @f() {
    return
  }
}
