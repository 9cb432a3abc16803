// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s

// The mma.sync pattern set (compiler/Conversion/TileToGPU/
// MmaSyncPatterns.cpp): tile.dot on #tile.mma<sync> tiles.

#mma = #tile.mma<sync, warps = 2>
#shared = #tile.shared<pad = 8>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 32, stages = 1, smem = 5120, chip = "sm_90">

// S = Q·Kᵀ, f16, 32x32x32 over 2 warps: per k-step of 16, B (K stored
// N-major) through non-transposing ldmatrix.x4 (two 8-column fragments
// each), A (Q in shared memory) through ldmatrix.x4, and one m16n8k16 MMA
// per 8-column slice: 2 k-steps x 4 MMAs.

// CHECK-LABEL: gpu.func @qk
// CHECK:           %[[QB:.*]] = memref.subview %{{.*}}[0, 0, 0] [1, 32, 32]
// CHECK:           %[[KB:.*]] = memref.subview %{{.*}}[0, 0, 0] [1, 32, 32]
// CHECK:           %[[Q:.*]] = memref.cast %[[QB]]
// CHECK:           %[[K:.*]] = memref.cast %[[KB]]
// CHECK:           nvgpu.ldmatrix %[[K]][{{.*}}] {numTiles = 4 : i32, transpose = false} : memref<?x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>> -> vector<4x2xf16>
// CHECK:           nvgpu.ldmatrix %[[K]][{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK:           nvgpu.ldmatrix %[[Q]][{{.*}}] {numTiles = 4 : i32, transpose = false}
// CHECK-COUNT-4:   nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK:           nvgpu.ldmatrix %[[K]][
// CHECK:           nvgpu.ldmatrix %[[K]][
// CHECK:           nvgpu.ldmatrix %[[Q]][
// CHECK-COUNT-4:   nvgpu.mma.sync
// CHECK-NOT:       nvgpu.mma.sync
func.func private @qk(%o: memref<32x32xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %qb = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x32x32xf16, #shared>
  %kb = tile.alloc_shared {offset = 2560 : i64} : !tile.buffer<1x32x32xf16, #shared>
  %q = tile.local_load %qb[%c0] : !tile.buffer<1x32x32xf16, #shared> -> tensor<32x32xf16, #shared>
  %k = tile.local_load %kb[%c0] : !tile.buffer<1x32x32xf16, #shared> -> tensor<32x32xf16, #shared>
  %s = tile.dot %q, %k transpose_rhs : tensor<32x32xf16, #shared>, tensor<32x32xf16, #shared> -> tensor<32x32xf32, #mma>
  tile.store %s, %o[%c0, %c0] : tensor<32x32xf32, #mma>, memref<32x32xf32>
  return
}

// -----

// O = P·V, bf16: P from registers as A fragments, V stored K-major through
// transposing ldmatrix, accumulated onto %acc; bf16 MMAs go to nvvm.mma.sync
// (MLIR 22's nvgpu lowering cannot type bf16), each pair of bf16 one 32-bit
// register.

#mma = #tile.mma<sync, warps = 2>
#shared = #tile.shared<pad = 8>
// CHECK-LABEL: gpu.func @pv
// CHECK-NOT:       nvgpu.ldmatrix {{.*}} transpose = false
// CHECK:           nvgpu.ldmatrix %{{.*}}[{{.*}}] {numTiles = 4 : i32, transpose = true} : {{.*}} -> vector<4x2xbf16>
// CHECK:           nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
func.func private @pv(%o: memref<32x16xf32>, %pin: memref<32x16xbf16>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 768, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %p = tile.load %pin[%c0, %c0] : memref<32x16xbf16> -> tensor<32x16xbf16, #mma>
  %a = tile.convert_layout %p : tensor<32x16xbf16, #mma> -> tensor<32x16xbf16, #tile.operand<a, #mma>>
  %vb = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x16x16xbf16, #shared>
  %v = tile.local_load %vb[%c0] : !tile.buffer<1x16x16xbf16, #shared> -> tensor<16x16xbf16, #shared>
  %acc = arith.constant dense<0.0> : tensor<32x16xf32, #mma>
  %r = tile.dot %a, %v, %acc : tensor<32x16xbf16, #tile.operand<a, #mma>>, tensor<16x16xbf16, #shared>, tensor<32x16xf32, #mma> -> tensor<32x16xf32, #mma>
  tile.store %r, %o[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

// f32 operands: m16n8k8 TF32 MMAs, three per 8-column slice (high/low
// split), operands read element by element from shared memory, summed into
// fresh registers. One warp; rows padded by 4 floats.

#mma = #tile.mma<sync, warps = 1>
#shared = #tile.shared<pad = 4>
// CHECK-LABEL: gpu.func @tf32
// CHECK-NOT:       nvgpu.ldmatrix
// CHECK:           memref.load
// CHECK-COUNT-6:   nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:           gpu.return
func.func private @tf32(%o: memref<16x16xf32>)
    attributes {tile.config = #tile.config<grid = [3, 1, 1], warps = 1, block_m = 16, block_n = 16, stages = 1, smem = 1408, chip = "sm_90">} {
  %c0 = arith.constant 0 : index
  %a = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x16x8xf32, #shared>
  %b = tile.alloc_shared {offset = 768 : i64} : !tile.buffer<1x8x16xf32, #shared>
  %x = tile.local_load %a[%c0] : !tile.buffer<1x16x8xf32, #shared> -> tensor<16x8xf32, #shared>
  %y = tile.local_load %b[%c0] : !tile.buffer<1x8x16xf32, #shared> -> tensor<8x16xf32, #shared>
  %r = tile.dot %x, %y : tensor<16x8xf32, #shared>, tensor<8x16xf32, #shared> -> tensor<16x16xf32, #mma>
  tile.store %r, %o[%c0, %c0] : tensor<16x16xf32, #mma>, memref<16x16xf32>
  return
}
