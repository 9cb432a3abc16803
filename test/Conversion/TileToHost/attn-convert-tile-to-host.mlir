// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/fused.mlir -attn-tile -attn-fuse-online-softmax -attn-promote-shared -attn-convert-tile-to-host | FileCheck %t/fused.mlir
// RUN: attn-opt %t/fused.mlir -attn-select-tiling -attn-tile -attn-fuse-online-softmax -attn-promote-shared -attn-assign-layouts -attn-convert-tile-to-host | FileCheck %t/fused.mlir
// RUN: attn-opt %t/loops.mlir -split-input-file -attn-convert-tile-to-host | FileCheck %t/loops.mlir

// The host execution path: the kernel becomes a C-callable function that
// loops over its grid; tiles become buffers and tile ops loop nests; the
// shared-memory copies of rung 4 are plain synchronous copies.

//--- fused.mlir

func.func @attention(%q: tensor<1x2x40x16xf16>, %k: tensor<1x2x40x16xf16>,
                     %v: tensor<1x2x40x16xf16>) -> tensor<1x2x40x16xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x40x16xf16>, tensor<1x2x40x16xf16>, tensor<1x2x40x16xf16>
      -> tensor<1x2x40x16xf16>
  return %o : tensor<1x2x40x16xf16>
}

// CHECK-LABEL: func.func @attn_fwd(
// CHECK-SAME:    %[[Q:.*]]: memref<1x2x40x16xf16>, %{{.*}}: memref<1x2x40x16xf16>, %{{.*}}: memref<1x2x40x16xf16>, %[[O:.*]]: memref<1x2x40x16xf16>)
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK-NOT:     tile.
// CHECK-DAG:     %[[QT:.*]] = memref.alloc() : memref<128x16xf16>
// CHECK-DAG:     memref.alloc() : memref<2x64x16xf16>
// The grid (B·H = 2, ⌈40/128⌉ = 1, 1) as three loops.
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         scf.for %[[BH:.*]] = %{{.*}} to %[[C2]]
// CHECK:           scf.for %[[MB:.*]] =
// CHECK:             scf.for
// Loads zero-fill past the bounds.
// CHECK:               scf.if
// CHECK:                 memref.load %[[Q]]
// CHECK:               } else {
// CHECK:                 arith.constant 0.000000e+00 : f16
// The dot multiplies in f32.
// CHECK:               arith.extf %{{.*}} : f16 to f32
// CHECK:               math.fma
// The online softmax's exponentials.
// CHECK:               math.exp2
// CHECK:         memref.dealloc
// CHECK:         return
// The launch plan stays for the host program.
// CHECK-LABEL: func.func @attention
// CHECK:         tile.launch @attn_fwd

//--- loops.mlir

// A loop carrying tiles carries buffers of its own: the initial values are
// copied in before it, and the yielded tiles copied back at the end of each
// iteration (value semantics: no iteration reads a buffer a later op of the
// same iteration has overwritten). Layouts are ignored on the host.

// CHECK-LABEL: func.func @carried
// CHECK:         memref.copy %{{.*}}, %[[CARRIED:.*]] : memref<32x16xf32> to memref<32x16xf32>
// CHECK-NEXT:    scf.for {{.*}} iter_args(%[[X:.*]] = %[[CARRIED]]) -> (memref<32x16xf32>) {
// CHECK:           memref.load %[[X]]
// CHECK:           memref.copy %{{.*}}, %[[X]] : memref<32x16xf32> to memref<32x16xf32>
// CHECK:           scf.yield %[[X]] : memref<32x16xf32>
func.func @carried(%o: memref<32x16xf32>, %n: index)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %init = arith.constant dense<1.0> : tensor<32x16xf32, #tile.mma<sync, warps = 2>>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%x = %init) -> (tensor<32x16xf32, #tile.mma<sync, warps = 2>>) {
    %y = arith.addf %x, %x : tensor<32x16xf32, #tile.mma<sync, warps = 2>>
    scf.yield %y : tensor<32x16xf32, #tile.mma<sync, warps = 2>>
  }
  tile.store %r, %o[%c0, %c0] : tensor<32x16xf32, #tile.mma<sync, warps = 2>>, memref<32x16xf32>
  return
}

// -----

// Yielding the carried tiles swapped copies through temporaries first.

// CHECK-LABEL: func.func @swap
// CHECK:         scf.for {{.*}} iter_args(%[[A:.*]] = %{{.*}}, %[[B:.*]] = %{{.*}})
// CHECK-NEXT:      memref.copy %[[B]], %[[T0:.*]] :
// CHECK-NEXT:      memref.copy %[[A]], %[[T1:.*]] :
// CHECK-NEXT:      memref.copy %[[T0]], %[[A]]
// CHECK-NEXT:      memref.copy %[[T1]], %[[B]]
// CHECK-NEXT:      scf.yield %[[A]], %[[B]]
func.func @swap(%o: memref<32x16xf32>, %n: index)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant dense<1.0> : tensor<32x16xf32>
  %two = arith.constant dense<2.0> : tensor<32x16xf32>
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%a = %one, %b = %two) -> (tensor<32x16xf32>, tensor<32x16xf32>) {
    scf.yield %b, %a : tensor<32x16xf32>, tensor<32x16xf32>
  }
  tile.store %r#0, %o[%c0, %c0] : tensor<32x16xf32>, memref<32x16xf32>
  return
}


// -----

// Sizes known only at run time: each '?' of the grid becomes an index
// argument after the buffers (x before y), the bound of its grid loop; the
// memref arguments keep their dynamic sizes and strides.

// CHECK-LABEL: func.func @dyn
// CHECK-SAME:    (%[[Q:.*]]: memref<?x?x64xf16, strided<[?, ?, 1]>>, %[[O:.*]]: memref<?x?x64xf16, strided<[?, ?, 1]>>, %[[GX:.*]]: index, %[[GY:.*]]: index)
// CHECK:         scf.for %{{.*}} = %{{.*}} to %[[GX]] step
// CHECK:           scf.for %{{.*}} = %{{.*}} to %[[GY]] step
// CHECK:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK:         memref.dim %[[Q]], %{{.*}} : memref<?x?x64xf16, strided<[?, ?, 1]>>
func.func private @dyn(%q: memref<?x?x64xf16, strided<[?, ?, 1]>>,
                       %o: memref<?x?x64xf16, strided<[?, ?, 1]>>)
    attributes {tile.config = #tile.config<grid = [?, ?, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">} {
  %b = tile.program_id 0
  %r = tile.program_id 1
  %c64 = arith.constant 64 : index
  %c0 = arith.constant 0 : index
  %row = arith.muli %r, %c64 : index
  %t = tile.load %q[%b, %row, %c0] : memref<?x?x64xf16, strided<[?, ?, 1]>> -> tensor<64x64xf16>
  tile.store %t, %o[%b, %row, %c0] : tensor<64x64xf16>, memref<?x?x64xf16, strided<[?, ?, 1]>>
  return
}
