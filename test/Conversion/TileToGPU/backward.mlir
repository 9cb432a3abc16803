// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s --check-prefix=SPLIT
// RUN: attn-opt %s --pass-pipeline='builtin.module(attn-convert-tile-to-gpu,canonicalize,cse,gpu.module(expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-nvgpu-to-nvvm,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true},convert-nvvm-to-llvm,canonicalize,reconcile-unrealized-casts),nvvm-attach-target{chip=sm_80 features=+ptx80 O=3},gpu-module-to-binary{format=isa})' | FileCheck %s --check-prefix=PTX

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

// -----

// A register tile stored into a shared slot (each thread its pairs of
// adjacent elements), and a product whose lhs is stored K-major: the A
// fragments come from ldmatrix.x4 with .trans, lanes 8i..8i+7 addressing
// rows 8·(i/2)+0..7 at column 8·(i%2) of each 16x16 block.
#mma2 = #tile.mma<sync, warps = 2>
#cfg2 = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_80">
func.func private @transposed_lhs(%src: memref<32x32xf16>, %o: memref<32x16xf32>) attributes {tile.config = #cfg2} {
  %c0 = arith.constant 0 : index
  %p = tile.load %src[%c0, %c0] : memref<32x32xf16> -> tensor<32x32xf16, #mma2>
  %dobuf = tile.alloc_shared {offset = 4096 : i64} : !tile.buffer<1x32x16xf16, #tile.shared<pad = 8>>
  %do = tile.local_load %dobuf[%c0] : !tile.buffer<1x32x16xf16, #tile.shared<pad = 8>> -> tensor<32x16xf16, #tile.shared<pad = 8>>
  %buf = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x32x32xf16, #tile.shared<pad = 8>>
  tile.local_store %p, %buf[%c0] : tensor<32x32xf16, #mma2>, !tile.buffer<1x32x32xf16, #tile.shared<pad = 8>>
  tile.barrier
  %pt = tile.local_load %buf[%c0] : !tile.buffer<1x32x32xf16, #tile.shared<pad = 8>> -> tensor<32x32xf16, #tile.shared<pad = 8>>
  %dv = tile.dot %pt, %do transpose_lhs : tensor<32x32xf16, #tile.shared<pad = 8>>, tensor<32x16xf16, #tile.shared<pad = 8>> -> tensor<32x16xf32, #mma2>
  tile.store %dv, %o[%c0, %c0] : tensor<32x16xf32, #mma2>, memref<32x16xf32>
  return
}
// SPLIT-LABEL: gpu.func @transposed_lhs
// SPLIT-COUNT-8: vector.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>, vector<2xf16>
// SPLIT:         gpu.barrier
// SPLIT:         nvgpu.ldmatrix %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] {numTiles = 4 : i32, transpose = true} : memref<?x32x32xf16
// SPLIT-COUNT-4: nvgpu.mma.sync

// -----

// On sm_90 an interior tile adds each thread's pairs (columns 2t, 2t + 1)
// with one red.global.add.v2.f32 each, 8-byte aligned: the tile's column
// offset is even, the rows (16 floats) too, and the buffer's address is
// tested with the bounds. One address register, the thread's first
// element's; each pair's distance from it is in the instruction: row g + 8
// is 8 · 16 · 4 = 512 bytes on, the next 8-column slice 32. A ragged tile,
// or a misaligned buffer, takes the element atomics.
#mma3 = #tile.mma<sync, warps = 2>
#cfg3 = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @atomic_add_pairs(%t: tensor<32x16xf32, #mma3>, %dq: memref<1x2x40x16xf32>) attributes {tile.config = #cfg3} {
  %c0 = arith.constant 0 : index
  tile.atomic_add %t, %dq[%c0, %c0, %c0, %c0] : tensor<32x16xf32, #mma3>, memref<1x2x40x16xf32>
  return
}
// CHECK-LABEL: gpu.func @atomic_add_pairs
// CHECK:         %[[BASE:.*]] = memref.extract_aligned_pointer_as_index
// CHECK:         %[[MOD:.*]] = arith.remui %[[BASE]], %c8{{(_[0-9]+)?}} : index
// CHECK:         %[[ALIGNED:.*]] = arith.cmpi eq, %[[MOD]], %c0{{(_[0-9]+)?}} : index
// CHECK:         %[[OK:.*]] = arith.andi %{{.*}}, %[[ALIGNED]] : i1
// CHECK:         scf.if %[[OK]] {
// CHECK:           %[[G:.*]] = llvm.addrspacecast %{{.*}} : !llvm.ptr to !llvm.ptr<1>
// CHECK:           llvm.inline_asm has_side_effects asm_dialect = att "red.global.add.v2.f32 [$0+0], {$1, $2};", "l,f,f" %[[G]], %{{.*}}, %{{.*}} : (!llvm.ptr<1>, f32, f32) -> ()
// CHECK:           "red.global.add.v2.f32 [$0+512], {$1, $2};"
// CHECK:           "red.global.add.v2.f32 [$0+32], {$1, $2};"
// CHECK:           "red.global.add.v2.f32 [$0+544], {$1, $2};"
// CHECK-NOT:       memref.atomic_rmw
// CHECK:         } else {
// CHECK-COUNT-8:   memref.atomic_rmw addf
// CHECK-NOT:       llvm.inline_asm
// CHECK:         gpu.return
