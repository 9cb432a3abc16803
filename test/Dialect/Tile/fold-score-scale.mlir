// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/fold.mlir -split-input-file -attn-fold-score-scale | FileCheck %t/fold.mlir
// RUN: attn-opt %t/attention.mlir -attn-tile -attn-fuse-online-softmax -attn-fold-score-scale | FileCheck %t/attention.mlir
// RUN: attn-opt %t/not-a-kernel.mlir -attn-fold-score-scale -verify-diagnostics

// Scores scaled by a positive constant before their row maximum and their
// `x - max` are masked and reduced unscaled: the row maximum is scaled once
// per row, and the per-element multiply moves next to the subtract, both
// marked fastmath<contract> so that LLVM fuses them into one FMA. Anything
// else is left alone.

//--- fold.mlir

// Masked scores: the mask moves onto the raw product, the maximum is taken
// of the raw scores and multiplied by a row vector of the scale, and the
// exponent's argument is (s·c) - m with both ops contractable.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @masked
// CHECK-SAME:    (%{{.*}}: tensor<64x32xf16>, %{{.*}}: tensor<64x32xf16>, %[[M:.*]]: tensor<64xf32>, %[[I:.*]]: index, %[[J:.*]]: index)
// CHECK:         %[[S:.*]] = tile.dot
// CHECK-DAG:     %[[C:.*]] = arith.constant dense<1.250000e-01> : tensor<64x64xf32>
// CHECK-DAG:     %[[X:.*]] = tile.mask %[[S]][%[[I]], %[[J]]] cols 100 causal : tensor<64x64xf32>
// CHECK:         %[[RAW:.*]] = tile.reduce max %[[X]] : tensor<64x64xf32> -> tensor<64xf32>
// CHECK:         %[[CROW:.*]] = arith.constant dense<1.250000e-01> : tensor<64xf32>
// CHECK:         %[[R:.*]] = arith.mulf %[[RAW]], %[[CROW]] : tensor<64xf32>
// CHECK:         %[[MN:.*]] = arith.maximumf %[[M]], %[[R]]
// CHECK:         %[[MB:.*]] = tile.broadcast %[[MN]]
// CHECK:         %[[SC:.*]] = arith.mulf %[[X]], %[[C]] fastmath<contract> : tensor<64x64xf32>
// CHECK:         %[[T:.*]] = arith.subf %[[SC]], %[[MB]] fastmath<contract> : tensor<64x64xf32>
// CHECK:         math.exp2 %[[T]]
// CHECK-NOT:     arith.mulf %[[S]]
// CHECK-NOT:     tile.mask
// CHECK:         return
func.func private @masked(%a: tensor<64x32xf16>, %b: tensor<64x32xf16>, %m: tensor<64xf32>, %i: index, %j: index)
    -> (tensor<64x64xf32>, tensor<64xf32>) attributes {tile.config = #cfg} {
  %s = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %c = arith.constant dense<0.125> : tensor<64x64xf32>
  %x = arith.mulf %s, %c : tensor<64x64xf32>
  %xm = tile.mask %x[%i, %j] cols 100 causal : tensor<64x64xf32>
  %r = tile.reduce max %xm : tensor<64x64xf32> -> tensor<64xf32>
  %mn = arith.maximumf %m, %r : tensor<64xf32>
  %mb = tile.broadcast %mn : tensor<64xf32> -> tensor<64x64xf32>
  %t = arith.subf %xm, %mb : tensor<64x64xf32>
  %p = math.exp2 %t : tensor<64x64xf32>
  return %p, %mn : tensor<64x64xf32>, tensor<64xf32>
}

// -----

// Without a mask: the maximum reads the product itself.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @unmasked
// CHECK:         %[[S:.*]] = tile.dot
// CHECK:         %[[C:.*]] = arith.constant dense<2.500000e-01> : tensor<64x64xf32>
// CHECK-NEXT:    %[[RAW:.*]] = tile.reduce max %[[S]] : tensor<64x64xf32> -> tensor<64xf32>
// CHECK-NEXT:    %[[CROW:.*]] = arith.constant dense<2.500000e-01> : tensor<64xf32>
// CHECK-NEXT:    %[[R:.*]] = arith.mulf %[[RAW]], %[[CROW]] : tensor<64xf32>
// CHECK-NEXT:    %[[MB:.*]] = tile.broadcast %[[R]]
// CHECK-NEXT:    %[[SC:.*]] = arith.mulf %[[S]], %[[C]] fastmath<contract>
// CHECK-NEXT:    %[[T:.*]] = arith.subf %[[SC]], %[[MB]] fastmath<contract>
// CHECK-NEXT:    return %[[T]]
func.func private @unmasked(%a: tensor<64x32xf16>, %b: tensor<64x32xf16>) -> tensor<64x64xf32>
    attributes {tile.config = #cfg} {
  %s = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %c = arith.constant dense<0.25> : tensor<64x64xf32>
  %x = arith.mulf %s, %c : tensor<64x64xf32>
  %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
  %mb = tile.broadcast %r : tensor<64xf32> -> tensor<64x64xf32>
  %t = arith.subf %x, %mb : tensor<64x64xf32>
  return %t : tensor<64x64xf32>
}

// -----

// Left alone: a scale that is not positive (the maximum would not commute
// with it), a scale that is not a constant, and scaled scores with another
// use (here a row sum).

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @left_alone
// CHECK-NOT:     fastmath<contract>
// CHECK:         %[[X0:.*]] = arith.mulf %[[S:.*]], %{{.*}} : tensor<64x64xf32>
// CHECK:         tile.reduce max %[[X0]]
// CHECK:         arith.subf %[[X0]]
// CHECK:         %[[X1:.*]] = arith.mulf %[[S]], %{{.*}} : tensor<64x64xf32>
// CHECK:         tile.reduce max %[[X1]]
// CHECK:         arith.subf %[[X1]]
// CHECK:         %[[X2:.*]] = arith.mulf %[[S]], %{{.*}} : tensor<64x64xf32>
// CHECK:         tile.reduce max %[[X2]]
// CHECK:         tile.reduce sum %[[X2]]
// CHECK:         arith.subf %[[X2]]
// CHECK-NOT:     fastmath<contract>
// CHECK:         return
func.func private @left_alone(%a: tensor<64x32xf16>, %b: tensor<64x32xf16>, %dyn: tensor<64x64xf32>)
    -> (tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64xf32>)
    attributes {tile.config = #cfg} {
  %s = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %neg = arith.constant dense<-0.5> : tensor<64x64xf32>
  %x0 = arith.mulf %s, %neg : tensor<64x64xf32>
  %r0 = tile.reduce max %x0 : tensor<64x64xf32> -> tensor<64xf32>
  %b0 = tile.broadcast %r0 : tensor<64xf32> -> tensor<64x64xf32>
  %t0 = arith.subf %x0, %b0 : tensor<64x64xf32>
  %x1 = arith.mulf %s, %dyn : tensor<64x64xf32>
  %r1 = tile.reduce max %x1 : tensor<64x64xf32> -> tensor<64xf32>
  %b1 = tile.broadcast %r1 : tensor<64xf32> -> tensor<64x64xf32>
  %t1 = arith.subf %x1, %b1 : tensor<64x64xf32>
  %c = arith.constant dense<0.5> : tensor<64x64xf32>
  %x2 = arith.mulf %s, %c : tensor<64x64xf32>
  %r2 = tile.reduce max %x2 : tensor<64x64xf32> -> tensor<64xf32>
  %sum = tile.reduce sum %x2 : tensor<64x64xf32> -> tensor<64xf32>
  %b2 = tile.broadcast %r2 : tensor<64xf32> -> tensor<64x64xf32>
  %t2 = arith.subf %x2, %b2 : tensor<64x64xf32>
  return %t0, %t1, %t2, %sum : tensor<64x64xf32>, tensor<64x64xf32>, tensor<64x64xf32>, tensor<64xf32>
}

// -----

// No maximum, only a subtraction (the fused backward's recomputed
// Sᵀ·c - lse): the mask moves onto the raw product and the multiply joins
// the subtract in one contractable pair.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @no_maximum
// CHECK-SAME:    (%{{.*}}: tensor<64x32xf16>, %{{.*}}: tensor<64x32xf16>, %[[L:.*]]: tensor<64xf32>, %[[I:.*]]: index, %[[J:.*]]: index)
// CHECK:         %[[S:.*]] = tile.dot
// CHECK-DAG:     %[[C:.*]] = arith.constant dense<5.000000e-01> : tensor<64x64xf32>
// CHECK-DAG:     %[[X:.*]] = tile.mask %[[S]][%[[I]], %[[J]]] cols 100 causal transposed : tensor<64x64xf32>
// CHECK:         %[[B:.*]] = tile.broadcast %[[L]] dim 0
// CHECK:         %[[SC:.*]] = arith.mulf %[[X]], %[[C]] fastmath<contract> : tensor<64x64xf32>
// CHECK:         %[[T:.*]] = arith.subf %[[SC]], %[[B]] fastmath<contract> : tensor<64x64xf32>
// CHECK:         %[[P:.*]] = math.exp2 %[[T]]
// CHECK-NOT:     tile.mask
// CHECK:         return %[[P]]
func.func private @no_maximum(%a: tensor<64x32xf16>, %b: tensor<64x32xf16>, %lse: tensor<64xf32>, %i: index, %j: index)
    -> tensor<64x64xf32> attributes {tile.config = #cfg} {
  %s = tile.dot %a, %b transpose_rhs : tensor<64x32xf16>, tensor<64x32xf16> -> tensor<64x64xf32>
  %c = arith.constant dense<0.5> : tensor<64x64xf32>
  %x = arith.mulf %s, %c : tensor<64x64xf32>
  %xm = tile.mask %x[%i, %j] cols 100 causal transposed : tensor<64x64xf32>
  %lb = tile.broadcast %lse dim 0 : tensor<64xf32> -> tensor<64x64xf32>
  %t = arith.subf %xm, %lb : tensor<64x64xf32>
  %p = math.exp2 %t : tensor<64x64xf32>
  return %p : tensor<64x64xf32>
}

//--- attention.mlir

// In attn-tile's kernel after the online-softmax fusion: the loop takes the
// running maximum of the masked raw scores times scale·log2(e)
// (1/sqrt(64)·1.4427 = 0.18034), and the exponent is one contractable
// multiply-subtract.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         scf.for
// CHECK:           %[[S:.*]] = tile.dot
// CHECK:           %[[X:.*]] = tile.mask %[[S]][
// CHECK:           %[[RAW:.*]] = tile.reduce max %[[X]]
// CHECK:           %[[CROW:.*]] = arith.constant dense<0.180336878> : tensor<128xf32>
// CHECK:           %[[R:.*]] = arith.mulf %[[RAW]], %[[CROW]]
// CHECK:           arith.maximumf %{{.*}}, %[[R]]
// CHECK:           %[[SC:.*]] = arith.mulf %[[X]], %{{.*}} fastmath<contract> : tensor<128x64xf32>
// CHECK:           %[[T:.*]] = arith.subf %[[SC]], %{{.*}} fastmath<contract> : tensor<128x64xf32>
// CHECK:           math.exp2 %[[T]]
// CHECK-NOT:       arith.mulf %[[S]]
// CHECK:           scf.yield

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- not-a-kernel.mlir

// expected-error @below {{attn-fold-score-scale: the module holds no tile kernel (the pass runs on rungs 2-4)}}
module {
  func.func @f() {
    return
  }
}
