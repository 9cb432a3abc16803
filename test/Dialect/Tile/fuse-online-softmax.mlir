// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/attention.mlir -split-input-file -attn-tile -attn-fuse-online-softmax | FileCheck %t/attention.mlir
// RUN: attn-opt %t/attention.mlir -split-input-file -attn-tile -attn-fuse-online-softmax=testing-skip-rescale | FileCheck %t/attention.mlir --check-prefix=SKIP
// RUN: attn-opt %t/attention.mlir -split-input-file -attn-tile -attn-fuse-online-softmax | FileCheck %t/attention.mlir --check-prefix=ONE
// RUN: attn-opt %t/tile.mlir -split-input-file -attn-fuse-online-softmax | FileCheck %t/tile.mlir
// RUN: attn-opt %t/no-fusion.mlir -split-input-file -attn-fuse-online-softmax -verify-diagnostics | FileCheck %t/no-fusion.mlir
// RUN: attn-opt %t/not-a-sum.mlir -attn-fuse-online-softmax -verify-diagnostics

// The max loop and the sum/accumulate loop that attn-tile emits become one
// loop carrying (m, l, acc): m_new = max(m, rowmax(x)),
// alpha = exp2(m - m_new), p = exp2(x - broadcast(m_new)),
// l = l·alpha + rowsum(p), acc = acc·broadcast(alpha) + p·V.

//--- attention.mlir

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-DAG:     %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : tensor<128xf32>
// CHECK-DAG:     %[[ZROW:.*]] = arith.constant dense<0.000000e+00> : tensor<128xf32>
// CHECK-DAG:     %[[ZACC:.*]] = arith.constant dense<0.000000e+00> : tensor<128x64xf32>
// CHECK:         %[[F:.*]]:3 = scf.for %[[J:[^ ]*]] = {{.*}} iter_args(%[[M:[^ ]*]] = %[[NEGINF]], %[[L:[^ ]*]] = %[[ZROW]], %[[ACC:[^ ]*]] = %[[ZACC]])
// CHECK-SAME:        -> (tensor<128xf32>, tensor<128xf32>, tensor<128x64xf32>) {
// CHECK:           %[[X:.*]] = tile.mask %{{.*}}[%{{.*}}, %[[J]]] cols 64 : tensor<128x64xf32>
// CHECK:           %[[RM:.*]] = tile.reduce max %[[X]] : tensor<128x64xf32> -> tensor<128xf32>
// CHECK:           %[[MNEW:.*]] = arith.maximumf %[[M]], %[[RM]] : tensor<128xf32>
// CHECK:           %[[MD:.*]] = arith.subf %[[M]], %[[MNEW]] : tensor<128xf32>
// CHECK:           %[[ALPHA:.*]] = math.exp2 %[[MD]] : tensor<128xf32>
// CHECK:           %[[MB:.*]] = tile.broadcast %[[MNEW]] : tensor<128xf32> -> tensor<128x64xf32>
// CHECK:           %[[D:.*]] = arith.subf %[[X]], %[[MB]] : tensor<128x64xf32>
// CHECK:           %[[P:.*]] = math.exp2 %[[D]] : tensor<128x64xf32>
// CHECK:           %[[RS:.*]] = tile.reduce sum %[[P]]
// CHECK:           %[[LS:.*]] = arith.mulf %[[L]], %[[ALPHA]] : tensor<128xf32>
// CHECK:           %[[LNEW:.*]] = arith.addf %[[LS]], %[[RS]] : tensor<128xf32>
// CHECK:           %[[P16:.*]] = arith.truncf %[[P]]
// CHECK:           %[[AB:.*]] = tile.broadcast %[[ALPHA]] : tensor<128xf32> -> tensor<128x64xf32>
// CHECK:           %[[AS:.*]] = arith.mulf %[[ACC]], %[[AB]] : tensor<128x64xf32>
// CHECK:           %[[ANEW:.*]] = tile.dot %[[P16]], %{{.*}}, %[[AS]]
// CHECK:           scf.yield %[[MNEW]], %[[LNEW]], %[[ANEW]] : tensor<128xf32>, tensor<128xf32>, tensor<128x64xf32>
// CHECK:         }
// CHECK-NOT:     scf.for
// CHECK:         %[[INV:.*]] = arith.divf %{{.*}}, %[[F]]#1
// CHECK:         %[[LB:.*]] = tile.broadcast %[[INV]]
// CHECK:         arith.mulf %[[F]]#2, %[[LB]]
// CHECK:         return

// Exactly one loop is left in the kernel.
// ONE-LABEL: func.func private @attn_fwd
// ONE:         scf.for
// ONE-NOT:     scf.for
// ONE-LABEL: func.func @attention

// Without the rescale (testing only) the loop is fused but l and acc are
// never multiplied by alpha.
// SKIP-LABEL: func.func private @attn_fwd
// SKIP:         scf.for {{.*}} iter_args(%[[M:[^ ]*]] = %{{[^ ]*}}, %[[L:[^ ]*]] = %{{[^ ]*}}, %[[ACC:[^ ]*]] = %{{[^ ]*}})
// SKIP-NOT:       arith.mulf %[[L]]
// SKIP-NOT:       arith.mulf %[[ACC]]
// SKIP:           %[[LNEW:.*]] = arith.addf %[[L]], %{{.*}}
// SKIP-NOT:       arith.mulf %[[ACC]]
// SKIP:           %[[ANEW:.*]] = tile.dot %{{.*}}, %{{.*}}, %[[ACC]]
// SKIP:           scf.yield %{{.*}}, %[[LNEW]], %[[ANEW]]
// SKIP-NOT:     scf.for

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// Causal with the logsumexp: the fused loop keeps the causal bound, and the
// logsumexp after the loop reads the fused loop's final maximum.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         %[[END:.*]] = arith.minui
// CHECK:         %[[F:.*]]:3 = scf.for %{{.*}} = %{{.*}} to %[[END]] step
// CHECK:           tile.mask {{.*}} causal
// CHECK:           arith.maximumf
// CHECK:         }
// CHECK-NOT:     scf.for
// CHECK:         %[[LOGL:.*]] = math.log2 %[[F]]#1
// CHECK:         arith.addf %[[F]]#0, %[[LOGL]]

// SKIP-LABEL: func.func private @attn_fwd
// SKIP:         scf.for
// SKIP-NOT:     scf.for

// ONE-LABEL: func.func private @attn_fwd
// ONE:         scf.for
// ONE-NOT:     scf.for
// ONE-LABEL: func.func @causal_lse

func.func @causal_lse(%q: tensor<1x2x256x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                      %v: tensor<1x2x256x64xbf16>)
    -> (tensor<1x2x256x64xbf16>, tensor<1x2x256xf32>) {
  %o, %lse = attn.attention %q, %k, %v causal
      : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
      -> tensor<1x2x256x64xbf16>, tensor<1x2x256xf32>
  return %o, %lse : tensor<1x2x256x64xbf16>, tensor<1x2x256xf32>
}

//--- tile.mlir

// The pass works on any pair of loops of this form, not only attn-tile's:
// here a row softmax denominator over a scores matrix in memory.

// CHECK-LABEL: func.func @row_sum
// CHECK-SAME:    (%[[S:.*]]: memref<64x256xf32>, %[[OUT:.*]]: memref<1x64xf32>)
// CHECK:         %[[F:.*]]:2 = scf.for %[[J:[^ ]*]] = {{.*}} iter_args(%[[M:[^ ]*]] = %{{.*}}, %[[L:[^ ]*]] = %{{.*}}) -> (tensor<64xf32>, tensor<64xf32>) {
// CHECK:           %[[X:.*]] = tile.load %[[S]][%{{.*}}, %[[J]]]
// CHECK-NOT:       tile.load
// CHECK:           %[[MNEW:.*]] = arith.maximumf %[[M]], %{{.*}}
// CHECK:           %[[ALPHA:.*]] = math.exp2 %{{.*}} : tensor<64xf32>
// CHECK:           %[[MB:.*]] = tile.broadcast %[[MNEW]]
// CHECK:           arith.subf %[[X]], %[[MB]]
// CHECK:           %[[LS:.*]] = arith.mulf %[[L]], %[[ALPHA]]
// CHECK:           %[[LNEW:.*]] = arith.addf %[[LS]], %{{.*}}
// CHECK:           scf.yield %[[MNEW]], %[[LNEW]]
// CHECK:         }
// CHECK-NOT:     scf.for
// CHECK:         tile.store %[[F]]#1, %[[OUT]]
func.func @row_sum(%s: memref<64x256xf32>, %out: memref<1x64xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %ninf = arith.constant dense<0xFF800000> : tensor<64xf32>
  %zero = arith.constant dense<0.0> : tensor<64xf32>
  %m = scf.for %j = %c0 to %c256 step %c64 iter_args(%mi = %ninf) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
    %mn = arith.maximumf %mi, %r : tensor<64xf32>
    scf.yield %mn : tensor<64xf32>
  }
  %l = scf.for %j = %c0 to %c256 step %c64 iter_args(%li = %zero) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %mb = tile.broadcast %m : tensor<64xf32> -> tensor<64x64xf32>
    %d = arith.subf %x, %mb : tensor<64x64xf32>
    %p = math.exp2 %d : tensor<64x64xf32>
    %r = tile.reduce sum %p : tensor<64x64xf32> -> tensor<64xf32>
    %ln = arith.addf %li, %r : tensor<64xf32>
    scf.yield %ln : tensor<64xf32>
  }
  tile.store %l, %out[%c0, %c0] : tensor<64xf32>, memref<1x64xf32>
  return
}

//--- no-fusion.mlir

// Loops the pass must leave alone; each says why in a remark.

// CHECK-LABEL: func.func @different_bounds
// CHECK:         %[[M:.*]] = scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<64xf32>) {
// CHECK:           tile.reduce max
// CHECK:         }
// CHECK:         scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<64xf32>) {
// CHECK:           tile.broadcast %[[M]]
// CHECK:           tile.reduce sum
// CHECK:         }
func.func @different_bounds(%s: memref<64x256xf32>, %out: memref<1x64xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %ninf = arith.constant dense<0xFF800000> : tensor<64xf32>
  %zero = arith.constant dense<0.0> : tensor<64xf32>
  // expected-remark @below {{online-softmax fusion not applied: the two loops have different bounds}}
  %m = scf.for %j = %c0 to %c256 step %c64 iter_args(%mi = %ninf) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
    %mn = arith.maximumf %mi, %r : tensor<64xf32>
    scf.yield %mn : tensor<64xf32>
  }
  %l = scf.for %j = %c0 to %c128 step %c64 iter_args(%li = %zero) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %mb = tile.broadcast %m : tensor<64xf32> -> tensor<64x64xf32>
    %d = arith.subf %x, %mb : tensor<64x64xf32>
    %p = math.exp2 %d : tensor<64x64xf32>
    %r = tile.reduce sum %p : tensor<64x64xf32> -> tensor<64xf32>
    %ln = arith.addf %li, %r : tensor<64xf32>
    scf.yield %ln : tensor<64xf32>
  }
  tile.store %l, %out[%c0, %c0] : tensor<64xf32>, memref<1x64xf32>
  return
}

// -----

// CHECK-LABEL: func.func @max_used_between_loops
// CHECK:         %[[M:.*]] = scf.for
// CHECK:         tile.store %[[M]]
// CHECK:         scf.for
// CHECK:           tile.broadcast %[[M]]
func.func @max_used_between_loops(%s: memref<64x256xf32>, %out: memref<2x64xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %ninf = arith.constant dense<0xFF800000> : tensor<64xf32>
  %zero = arith.constant dense<0.0> : tensor<64xf32>
  // expected-remark @below {{online-softmax fusion not applied: the row maximum is used before the second loop ends}}
  %m = scf.for %j = %c0 to %c256 step %c64 iter_args(%mi = %ninf) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
    %mn = arith.maximumf %mi, %r : tensor<64xf32>
    scf.yield %mn : tensor<64xf32>
  }
  tile.store %m, %out[%c0, %c0] : tensor<64xf32>, memref<2x64xf32>
  %l = scf.for %j = %c0 to %c256 step %c64 iter_args(%li = %zero) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %mb = tile.broadcast %m : tensor<64xf32> -> tensor<64x64xf32>
    %d = arith.subf %x, %mb : tensor<64x64xf32>
    %p = math.exp2 %d : tensor<64x64xf32>
    %r = tile.reduce sum %p : tensor<64x64xf32> -> tensor<64xf32>
    %ln = arith.addf %li, %r : tensor<64xf32>
    scf.yield %ln : tensor<64xf32>
  }
  tile.store %l, %out[%c1, %c0] : tensor<64xf32>, memref<2x64xf32>
  return
}

// -----

// CHECK-LABEL: func.func @no_second_loop
// CHECK:         %[[M:.*]] = scf.for
// CHECK:         tile.store %[[M]]
func.func @no_second_loop(%s: memref<64x256xf32>, %out: memref<1x64xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %ninf = arith.constant dense<0xFF800000> : tensor<64xf32>
  // expected-remark @below {{online-softmax fusion not applied: no second loop uses the row maximum}}
  %m = scf.for %j = %c0 to %c256 step %c64 iter_args(%mi = %ninf) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
    %mn = arith.maximumf %mi, %r : tensor<64xf32>
    scf.yield %mn : tensor<64xf32>
  }
  tile.store %m, %out[%c0, %c0] : tensor<64xf32>, memref<1x64xf32>
  return
}

// -----

// The second loop subtracts the maximum from other scores (the next
// column tile), so rowmax(x) there is not the pass-1 maximum.

// CHECK-LABEL: func.func @different_scores
// CHECK:         %[[M:.*]] = scf.for
// CHECK:         scf.for
// CHECK:           tile.broadcast %[[M]]
func.func @different_scores(%s: memref<64x256xf32>, %out: memref<1x64xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %ninf = arith.constant dense<0xFF800000> : tensor<64xf32>
  %zero = arith.constant dense<0.0> : tensor<64xf32>
  // expected-remark @below {{online-softmax fusion not applied: the maximum is not subtracted from the same scores}}
  %m = scf.for %j = %c0 to %c256 step %c64 iter_args(%mi = %ninf) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
    %mn = arith.maximumf %mi, %r : tensor<64xf32>
    scf.yield %mn : tensor<64xf32>
  }
  %l = scf.for %j = %c0 to %c256 step %c64 iter_args(%li = %zero) -> (tensor<64xf32>) {
    %j1 = arith.addi %j, %c64 : index
    %x = tile.load %s[%c0, %j1] : memref<64x256xf32> -> tensor<64x64xf32>
    %mb = tile.broadcast %m : tensor<64xf32> -> tensor<64x64xf32>
    %d = arith.subf %x, %mb : tensor<64x64xf32>
    %p = math.exp2 %d : tensor<64x64xf32>
    %r = tile.reduce sum %p : tensor<64x64xf32> -> tensor<64xf32>
    %ln = arith.addf %li, %r : tensor<64xf32>
    scf.yield %ln : tensor<64xf32>
  }
  tile.store %l, %out[%c0, %c0] : tensor<64xf32>, memref<1x64xf32>
  return
}

// -----

// CHECK-LABEL: func.func @broadcast_in_two_loops
// CHECK:         %[[M:.*]] = scf.for
// CHECK:         scf.for
// CHECK:           tile.broadcast %[[M]]
// CHECK:         scf.for
// CHECK:           tile.broadcast %[[M]]
func.func @broadcast_in_two_loops(%s: memref<64x256xf32>, %out: memref<2x64xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %ninf = arith.constant dense<0xFF800000> : tensor<64xf32>
  %zero = arith.constant dense<0.0> : tensor<64xf32>
  // expected-remark @below {{online-softmax fusion not applied: the row maximum is broadcast in more than one loop}}
  %m = scf.for %j = %c0 to %c256 step %c64 iter_args(%mi = %ninf) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
    %mn = arith.maximumf %mi, %r : tensor<64xf32>
    scf.yield %mn : tensor<64xf32>
  }
  %l = scf.for %j = %c0 to %c256 step %c64 iter_args(%li = %zero) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %mb = tile.broadcast %m : tensor<64xf32> -> tensor<64x64xf32>
    %d = arith.subf %x, %mb : tensor<64x64xf32>
    %p = math.exp2 %d : tensor<64x64xf32>
    %r = tile.reduce sum %p : tensor<64x64xf32> -> tensor<64xf32>
    %ln = arith.addf %li, %r : tensor<64xf32>
    scf.yield %ln : tensor<64xf32>
  }
  %l2 = scf.for %j = %c0 to %c256 step %c64 iter_args(%li = %zero) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %mb = tile.broadcast %m : tensor<64xf32> -> tensor<64x64xf32>
    %d = arith.subf %x, %mb : tensor<64x64xf32>
    %r = tile.reduce sum %d : tensor<64x64xf32> -> tensor<64xf32>
    %ln = arith.addf %li, %r : tensor<64xf32>
    scf.yield %ln : tensor<64xf32>
  }
  tile.store %l, %out[%c0, %c0] : tensor<64xf32>, memref<2x64xf32>
  tile.store %l2, %out[%c1, %c0] : tensor<64xf32>, memref<2x64xf32>
  return
}

//--- not-a-sum.mlir

// A loop-carried value of the second loop that is not a sum (here a
// running product) cannot be rescaled: the pass reports it and fails.

func.func @running_product(%s: memref<64x256xf32>, %out: memref<1x64xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %ninf = arith.constant dense<0xFF800000> : tensor<64xf32>
  %one = arith.constant dense<1.0> : tensor<64xf32>
  %m = scf.for %j = %c0 to %c256 step %c64 iter_args(%mi = %ninf) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %r = tile.reduce max %x : tensor<64x64xf32> -> tensor<64xf32>
    %mn = arith.maximumf %mi, %r : tensor<64xf32>
    scf.yield %mn : tensor<64xf32>
  }
  // expected-error @below {{online-softmax fusion failed: loop-carried value #1 is not a sum the rescale can be applied to}}
  %l = scf.for %j = %c0 to %c256 step %c64 iter_args(%li = %one) -> (tensor<64xf32>) {
    %x = tile.load %s[%c0, %j] : memref<64x256xf32> -> tensor<64x64xf32>
    %mb = tile.broadcast %m : tensor<64xf32> -> tensor<64x64xf32>
    %d = arith.subf %x, %mb : tensor<64x64xf32>
    %p = math.exp2 %d : tensor<64x64xf32>
    %r = tile.reduce sum %p : tensor<64x64xf32> -> tensor<64xf32>
    %ln = arith.mulf %li, %r : tensor<64xf32>
    scf.yield %ln : tensor<64xf32>
  }
  tile.store %l, %out[%c0, %c0] : tensor<64xf32>, memref<1x64xf32>
  return
}
