// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s

// The memory pattern set (compiler/Conversion/TileToGPU/MemoryPatterns.cpp):
// global loads and stores of tiles in the accumulator layout, shared
// buffers in dynamic shared memory, cp.async copies and their groups,
// barriers, and views of one slot.

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 2, 1], warps = 2, block_m = 32, block_n = 16, stages = 2, smem = 5120, chip = "sm_90">

// A 32x16 tile over 2 warps: one 16-row atom per warp, two 8-column slices,
// so each thread loads 2 pieces of 2x2 halves. An interior tile takes the
// unmasked branch (vector.load of 2 elements per row, aligned to their 4
// bytes so that LLVM keeps them one access), a ragged one the
// masked branch; the branch is uniform over the program.

// CHECK:       module attributes {gpu.container_module}
// CHECK-LABEL: func.func @host
// CHECK:         tile.launch @load_store(%{{.*}}) names ["x", "y"] {config = #tile.config<grid = [1, 2, 1], warps = 2, {{.*}}, smem = 5120, chip = "sm_90">}
// CHECK-NOT:   func.func private @load_store
// CHECK:       gpu.module @attn_kernels {
// CHECK:         gpu.func @load_store(%[[X:.*]]: memref<1x1x40x16xf16>, %[[Y:.*]]: memref<1x1x40x16xf16>) kernel
// CHECK-SAME:      known_block_size = array<i32: 64, 1, 1>
// CHECK-SAME:      known_grid_size = array<i32: 1, 2, 1>
// CHECK:           %[[TID:.*]] = gpu.thread_id x
// CHECK:           %[[IN:.*]] = arith.andi
// CHECK:           %[[T:.*]]:2 = scf.if %[[IN]] -> (vector<2x2xf16>, vector<2x2xf16>) {
// CHECK-COUNT-4:     vector.load %[[X]][{{.*}}] {alignment = 4 : i64} : memref<1x1x40x16xf16>, vector<2xf16>
// CHECK:             scf.yield
// CHECK:           } else {
// CHECK-COUNT-4:     vector.maskedload %[[X]][{{.*}}], %{{.*}}, %{{.*}} : memref<1x1x40x16xf16>, vector<2xi1>, vector<2xf16> into vector<2xf16>
// CHECK:             scf.yield
// CHECK:           }
// CHECK:           scf.if
// CHECK-COUNT-4:     vector.store %{{.*}}, %[[Y]][{{.*}}] {alignment = 4 : i64} : memref<1x1x40x16xf16>, vector<2xf16>
// CHECK:           } else {
// CHECK-COUNT-4:     vector.maskedstore %[[Y]][{{.*}}]
// CHECK:           }
// CHECK:           gpu.return
func.func private @load_store(%x: memref<1x1x40x16xf16>, %y: memref<1x1x40x16xf16>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c32 = arith.constant 32 : index
  %pid = tile.program_id 1
  %row = arith.muli %pid, %c32 : index
  %t = tile.load %x[%c0, %c0, %row, %c0] : memref<1x1x40x16xf16> -> tensor<32x16xf16, #mma>
  tile.store %t, %y[%c0, %c0, %row, %c0] : tensor<32x16xf16, #mma>, memref<1x1x40x16xf16>
  return
}
func.func @host(%x: tensor<1x1x40x16xf16>) -> tensor<1x1x40x16xf16> {
  %y = tile.launch @load_store(%x) names ["x", "y"] {config = #cfg}
      : (tensor<1x1x40x16xf16>) -> tensor<1x1x40x16xf16>
  return %y : tensor<1x1x40x16xf16>
}

// -----

// A row vector is stored by the first thread of each quad (lane % 4 == 0),
// one element per row it holds (rows g and g + 8 of its atom).

#mma = #tile.mma<sync, warps = 2>
// CHECK-LABEL: gpu.func @store_rows
// CHECK:           %[[LEADER:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK-COUNT-2:   vector.maskedstore %{{.*}}[{{.*}}], %{{.*}}, %{{.*}} : memref<1x1x32xf32>, vector<1xi1>, vector<1xf32>
// CHECK-NOT:       vector.maskedstore
// CHECK:           gpu.return
func.func private @store_rows(%lse: memref<1x1x32xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %r = arith.constant dense<1.0> : tensor<32xf32, #tile.slice<dim = 1, #mma>>
  tile.store %r, %lse[%c0, %c0, %c0] : tensor<32xf32, #tile.slice<dim = 1, #mma>>, memref<1x1x32xf32>
  return
}

// -----

// Shared buffers are views of the dynamic shared memory at their offsets
// (rows at the padded pitch: 32 + 8 = 40 halves); a tile viewed in a slot is
// the buffer (slot count dynamic) and the slot, indexed [slot, row, col];
// the copy of a 32x32 f16 tile is 128 chunks of 16 bytes, two per thread of
// 64, as cp.async (bypassing L1); commit, wait and barrier map one to one.

#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 32, stages = 2, smem = 5120, chip = "sm_90">
// CHECK-LABEL: gpu.func @shared
// CHECK:           %[[SMEM:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:           %[[OFF:.*]] = arith.constant 2560 : index
// CHECK:           %[[V:.*]] = memref.view %[[SMEM]][%[[OFF]]][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<1x32x40xf16, #gpu.address_space<workgroup>>
// CHECK:           %[[B:.*]] = memref.subview %[[V]][0, 0, 0] [1, 32, 32] [1, 1, 1] : memref<1x32x40xf16, #gpu.address_space<workgroup>> to memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>
// CHECK-COUNT-2:   nvgpu.device_async_copy %{{.*}}[{{.*}}], %[[B]][{{.*}}], 8, %{{.*}} {bypassL1} : memref<1x1x64x32xf16> to memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           nvvm.cp.async.wait.group 1
// CHECK:           gpu.barrier
// CHECK:           %[[T:.*]] = memref.cast %[[B]] : memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>> to memref<?x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>
// CHECK-COUNT-4:   vector.load %[[T]][%[[C0:.*]], %{{.*}}, %{{.*}}] : memref<?x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>, vector<2xf16>
func.func private @shared(%src: memref<1x1x64x32xf16>, %o: memref<1x1x32x32xf16>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared {offset = 2560 : i64}
      : !tile.buffer<1x32x32xf16, #tile.shared<pad = 8>>
  tile.async_copy %src[%c0, %c0, %c0, %c0], %buf[%c0]
      : memref<1x1x64x32xf16>, !tile.buffer<1x32x32xf16, #tile.shared<pad = 8>>
  tile.async_commit
  tile.async_wait 1
  tile.barrier
  %t = tile.local_load %buf[%c0] : !tile.buffer<1x32x32xf16, #tile.shared<pad = 8>>
      -> tensor<32x32xf16, #tile.shared<pad = 8>>
  %r = tile.convert_layout %t : tensor<32x32xf16, #tile.shared<pad = 8>>
      -> tensor<32x32xf16, #tile.mma<sync, warps = 2>>
  tile.store %r, %o[%c0, %c0, %c0, %c0] : tensor<32x32xf16, #tile.mma<sync, warps = 2>>, memref<1x1x32x32xf16>
  return
}

// -----

// Rows of an odd number of halves fit no 16-, 8- or 4-byte chunk for every
// column, so the copy is element by element with plain loads and stores
// (zero past the source's bounds).

// CHECK-LABEL: gpu.func @short_rows
// CHECK-NOT:       nvgpu.device_async_copy
// CHECK:           memref.load %{{.*}} : memref<1x1x5x5xf16>
// CHECK:           arith.select
// CHECK:           memref.store %{{.*}} : memref<1x16x5xf16, strided<[208, 13, 1]>, #gpu.address_space<workgroup>>
func.func private @short_rows(%src: memref<1x1x5x5xf16>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 1, block_m = 16, block_n = 16, stages = 1, smem = 512, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x16x5xf16, #tile.shared<pad = 8>>
  tile.async_copy %src[%c0, %c0, %c0, %c0], %buf[%c0]
      : memref<1x1x5x5xf16>, !tile.buffer<1x16x5xf16, #tile.shared<pad = 8>>
  return
}
