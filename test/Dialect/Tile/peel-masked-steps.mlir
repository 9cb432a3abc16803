// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/tile.mlir -split-input-file -attn-peel-masked-steps -verify-diagnostics | FileCheck %t/tile.mlir
// RUN: attn-opt %t/attention.mlir -attn-select-tiling=chip=sm_90a -attn-tile -attn-fuse-online-softmax -attn-fold-score-scale -attn-promote-tma -attn-warp-specialize -attn-assign-layouts -attn-allocate-shared -attn-overlap-softmax -attn-pingpong -attn-peel-masked-steps | FileCheck %t/attention.mlir
// RUN: attn-opt %t/attention.mlir -attn-select-tiling=chip=sm_90a -attn-tile -attn-fuse-online-softmax -attn-fold-score-scale -attn-promote-tma -attn-warp-specialize -attn-assign-layouts -attn-allocate-shared -attn-overlap-softmax -attn-pingpong -attn-peel-masked-steps=max-carried-registers=64 | FileCheck %t/attention.mlir --check-prefix=BUDGET
// RUN: attn-opt %t/not-a-kernel.mlir -attn-peel-masked-steps -verify-diagnostics

// attn-peel-masked-steps: a loop whose steps mask their scores at the
// induction variable is split where the first step needing the mask begins,
// split = min(ub, lb + s * max(0, floor((min(N, row + 1) - C - lb + s) / s))):
// the first loop loses its masks, the second's become unconditional (no
// per-step branch when lowered), and it carries the first's results.

//--- tile.mlir

// CHECK-LABEL: func.func private @causal
// CHECK-SAME:    (%[[ROW:.*]]: index, %[[END:.*]]: index, %[[X:.*]]: tensor<64x32xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG:     %[[C100:.*]] = arith.constant 100 : index
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : index
// CHECK:         %[[ROW1:.*]] = arith.addi %[[ROW]], %[[C1]]
// CHECK:         %[[LIMIT:.*]] = arith.minsi %[[C100]], %[[ROW1]]
// CHECK:         %[[T0:.*]] = arith.subi %[[LIMIT]], %[[C32]]
// CHECK:         %[[T1:.*]] = arith.subi %[[T0]], %[[C0]]
// CHECK:         %[[T:.*]] = arith.addi %[[T1]], %[[C32]]
// CHECK:         %[[K0:.*]] = arith.floordivsi %[[T]], %[[C32]]
// CHECK:         %[[K:.*]] = arith.maxsi %[[K0]], %{{.*}}
// CHECK:         %[[OFF:.*]] = arith.muli %[[K]], %[[C32]]
// CHECK:         %[[SPLIT0:.*]] = arith.addi %[[C0]], %[[OFF]]
// CHECK:         %[[SPLIT:.*]] = arith.minsi %[[SPLIT0]], %[[END]]
// CHECK:         %[[A:.*]] = scf.for %[[J:.*]] = %[[C0]] to %[[SPLIT]] step %[[C32]] iter_args(%[[M:.*]] = %{{.*}})
// CHECK-NOT:       tile.mask
// CHECK:           tile.reduce max %[[X]]
// CHECK:         %[[B:.*]] = scf.for %[[J2:.*]] = %[[SPLIT]] to %[[END]] step %[[C32]] iter_args(%{{.*}} = %[[A]])
// CHECK:           tile.mask %[[X]][%[[ROW]], %[[J2]]] cols 100 causal unconditional
// CHECK:         return %[[B]]
func.func private @causal(%row: index, %end: index, %x: tensor<64x32xf32>) -> tensor<64xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_80">} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %init = arith.constant dense<0xFF800000> : tensor<64xf32>
  %r = scf.for %j = %c0 to %end step %c32 iter_args(%m = %init) -> (tensor<64xf32>) {
    %s = tile.mask %x[%row, %j] cols 100 causal : tensor<64x32xf32>
    %t = tile.reduce max %s : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  return %r : tensor<64xf32>
}

// -----

// Constant bounds: N = 128 is a whole number of 32-column steps, so no step
// needs the mask and the loop stays one loop without it.
// CHECK-LABEL: func.func private @no_step_needs_it
// CHECK:         scf.for
// CHECK-NOT:     tile.mask
// CHECK-NOT:     scf.for
// CHECK:         return
func.func private @no_step_needs_it(%x: tensor<64x32xf32>) -> tensor<64xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_80">} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c128 = arith.constant 128 : index
  %init = arith.constant dense<0xFF800000> : tensor<64xf32>
  %r = scf.for %j = %c0 to %c128 step %c32 iter_args(%m = %init) -> (tensor<64xf32>) {
    %s = tile.mask %x[%c0, %j] cols 128 : tensor<64x32xf32>
    %t = tile.reduce max %s : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  return %r : tensor<64xf32>
}

// -----

// Constant bounds, causal at row 0: every step crosses the diagonal, so the
// one loop keeps its masks, unconditional.
// CHECK-LABEL: func.func private @every_step_needs_it
// CHECK:         scf.for
// CHECK:           tile.mask {{.*}} cols 128 causal unconditional
// CHECK-NOT:     scf.for
func.func private @every_step_needs_it(%x: tensor<64x32xf32>) -> tensor<64xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_80">} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %init = arith.constant dense<0xFF800000> : tensor<64xf32>
  %r = scf.for %j = %c0 to %c64 step %c32 iter_args(%m = %init) -> (tensor<64xf32>) {
    %s = tile.mask %x[%c0, %j] cols 128 causal : tensor<64x32xf32>
    %t = tile.reduce max %s : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  return %r : tensor<64xf32>
}

// -----

// Masks that do not follow the loop are left alone, with a remark.
// CHECK-LABEL: func.func private @misfits
// CHECK-COUNT-2: tile.mask
// CHECK-NOT:     unconditional
func.func private @misfits(%x: tensor<64x32xf32>, %end: index) -> tensor<64xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_80">} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %init = arith.constant dense<0xFF800000> : tensor<64xf32>
  // expected-remark @below {{attn-peel-masked-steps: left alone: a mask's column offset is not the loop's induction variable}}
  %r = scf.for %j = %c0 to %end step %c32 iter_args(%m = %init) -> (tensor<64xf32>) {
    %s = tile.mask %x[%c0, %c0] cols 100 causal : tensor<64x32xf32>
    %t = tile.reduce max %s : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  // expected-remark @below {{attn-peel-masked-steps: left alone: a mask's row offset changes inside the loop}}
  %r2 = scf.for %j = %c0 to %end step %c32 iter_args(%m = %r) -> (tensor<64xf32>) {
    %s = tile.mask %x[%j, %j] cols 100 causal : tensor<64x32xf32>
    %t = tile.reduce max %s : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  return %r2 : tensor<64xf32>
}

// -----

// The backward's transposed scores: the loop steps over their columns, which
// are queries, and meets the diagonal first. Every backward kernel has them:
// the loop is left alone, with no remark.
// CHECK-LABEL: func.func private @transposed
// CHECK:         tile.mask %{{.*}} cols 100 causal transposed :
// CHECK-NOT:     unconditional
func.func private @transposed(%x: tensor<64x32xf32>, %end: index) -> tensor<64xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_80">} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %init = arith.constant dense<0xFF800000> : tensor<64xf32>
  %r = scf.for %j = %c0 to %end step %c32 iter_args(%m = %init) -> (tensor<64xf32>) {
    %s = tile.mask %x[%c0, %j] cols 100 causal transposed : tensor<64x32xf32>
    %t = tile.reduce max %s : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  return %r : tensor<64xf32>
}

// -----

// A sliding window masks the first steps too: the loop is left alone, with
// no remark.
// CHECK-LABEL: func.func private @window
// CHECK:         tile.mask %{{.*}} cols 100 causal left 64 :
// CHECK-NOT:     unconditional
func.func private @window(%x: tensor<64x32xf32>, %begin: index, %end: index) -> tensor<64xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_80">} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %init = arith.constant dense<0xFF800000> : tensor<64xf32>
  %r = scf.for %j = %begin to %end step %c32 iter_args(%m = %init) -> (tensor<64xf32>) {
    %s = tile.mask %x[%c0, %j] cols 100 causal left 64 : tensor<64x32xf32>
    %t = tile.reduce max %s : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  return %r : tensor<64xf32>
}

// -----

// CHECK-LABEL: func.func private @masks_differ
func.func private @masks_differ(%x: tensor<64x32xf32>, %end: index) -> tensor<64xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_80">} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %init = arith.constant dense<0xFF800000> : tensor<64xf32>
  // expected-remark @below {{attn-peel-masked-steps: left alone: its masks differ in rows, columns or causality}}
  %r = scf.for %j = %c0 to %end step %c32 iter_args(%m = %init) -> (tensor<64xf32>) {
    %s = tile.mask %x[%c0, %j] cols 100 causal : tensor<64x32xf32>
    %s2 = tile.mask %s[%c0, %j] cols 100 : tensor<64x32xf32>
    %t = tile.reduce max %s2 : tensor<64x32xf32> -> tensor<64xf32>
    %n = arith.maximumf %m, %t : tensor<64xf32>
    scf.yield %n : tensor<64xf32>
  }
  return %r : tensor<64xf32>
}

//--- attention.mlir

// The sm_90a causal kernel after the overlap: the peeled first step keeps its
// mask (it runs once), the rotated loop becomes an unmasked loop and a masked
// one that carries its results; the producer's loop is untouched.
// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         producer {
// CHECK:           scf.for
// CHECK-NOT:         tile.mask
// CHECK:         } compute {
// CHECK:           scf.if
// CHECK:             tile.mask %{{.*}} cols 1000 causal :
// CHECK:             arith.floordivsi
// CHECK:             %[[A:.*]]:5 = scf.for %{{.*}} to %[[SPLIT:[^ ]*]] step
// CHECK-NOT:           tile.mask
// CHECK:               scf.yield
// CHECK:             scf.for %[[J:.*]] = %[[SPLIT]] to %{{.*}} iter_args(%{{.*}} = %[[A]]#0, %{{.*}} = %[[A]]#1, %{{.*}} = %[[A]]#2, %{{.*}} = %[[A]]#3, %{{.*}} = %[[A]]#4)
// CHECK:               tile.mask %{{.*}}[%{{.*}}, %[[J]]] cols 1000 causal unconditional
// CHECK:               scf.yield

// A budget below what the loop carries leaves it whole: 65 registers a
// thread (one compute warpgroup of 128 threads: O, 64x64 f32, and P, 64x128
// bf16, take 32 each; the row maximum and sum 1).
// BUDGET-LABEL: func.func private @attn_fwd
// BUDGET:         } compute {
// BUDGET-NOT:       unconditional
// BUDGET-NOT:       arith.floordivsi
func.func @attention(%q: tensor<2x4x1000x64xbf16>, %k: tensor<2x4x1000x64xbf16>,
                     %v: tensor<2x4x1000x64xbf16>) -> tensor<2x4x1000x64xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<2x4x1000x64xbf16>, tensor<2x4x1000x64xbf16>, tensor<2x4x1000x64xbf16>
      -> tensor<2x4x1000x64xbf16>
  return %o : tensor<2x4x1000x64xbf16>
}

//--- not-a-kernel.mlir

// expected-error @below {{attn-peel-masked-steps: the module holds no tile kernel}}
module {
  func.func @f() {
    return
  }
}
