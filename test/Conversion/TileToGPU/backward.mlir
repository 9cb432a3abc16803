// RUN: attn-opt %s -attn-convert-tile-to-gpu | FileCheck %s
// RUN: attn-opt %s --pass-pipeline='builtin.module(attn-convert-tile-to-gpu,canonicalize,cse,gpu.module(expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true},convert-nvvm-to-llvm,canonicalize,reconcile-unrealized-casts),nvvm-attach-target{chip=sm_80 features=+ptx80 O=3},gpu-module-to-binary{format=isa})' | FileCheck %s --check-prefix=PTX

// The backward's row loads and atomic adds on the GPU. Two warps, 32 rows:
// each thread holds rows g and g + 8 of its warp's 16 (g = lane / 4) and, per
// 8-column slice, columns 2t and 2t + 1 (t = lane % 4).

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_80">
func.func private @row_load_atomic_add(%delta: memref<1x2x40xf32>, %dq: memref<1x2x40x16xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %row = tile.load %delta[%c0, %c0, %c32] : memref<1x2x40xf32> -> tensor<32xf32, #tile.slice<dim = 1, #mma>>
  %t = tile.broadcast %row : tensor<32xf32, #tile.slice<dim = 1, #mma>> -> tensor<32x16xf32, #mma>
  tile.atomic_add %t, %dq[%c0, %c0, %c32, %c0] : tensor<32x16xf32, #mma>, memref<1x2x40x16xf32>
  return
}

// A row load: per thread its two rows, each read when inside the 40 rows,
// else zero.
// CHECK-LABEL: gpu.func @row_load_atomic_add
// CHECK:         %[[IN:.*]] = arith.cmpi ult, %[[ROW:[^,]*]], %{{.*}} : index
// CHECK:         %[[V:.*]] = scf.if %[[IN]] -> (f32) {
// CHECK:           %[[X:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}, %[[ROW]]] : memref<1x2x40xf32>
// CHECK:           scf.yield %[[X]] : f32
// CHECK:         } else {
// CHECK:           scf.yield %{{.*}} : f32
// CHECK:         }
// The atomic add: rows 32-63 of a 40-row matrix are not all inside, so the
// uniform branch picks the checked adds; each element one atomic addf.
// CHECK:         scf.if %{{.*}} {
// CHECK-COUNT-8:   memref.atomic_rmw addf %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : (f32, memref<1x2x40x16xf32>) -> f32
// CHECK:         } else {
// CHECK:           %[[OK:.*]] = arith.andi
// CHECK:           scf.if %[[OK]] {
// CHECK:             memref.atomic_rmw addf

// In PTX, a global f32 atomic add.
// PTX: atom.global.add.f32
