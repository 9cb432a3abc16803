// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s

// Tile kernels become gpu.func kernels in gpu.module @attn_kernels; shared
// buffers are carved from dynamic shared memory, tile.dot becomes
// nvgpu.ldmatrix + nvgpu.mma.sync, row reductions end in quad shuffles, and
// each tile.launch gets its grid, block and shared-memory size.
//
// The inputs are hand-written kernels whose operands are already in shared
// memory. (Promoted kernels from attn-promote-shared are not tested here:
// see the report on the missing NVVM dependent dialect.)

// Two warps over 32 rows: each warp owns one 16-row MMA atom. The buffers
// are 32 rows × 40 halves = 2560 bytes each.

// CHECK:       module attributes {gpu.container_module}
// CHECK-LABEL: func.func @host
// CHECK:         tile.launch @kernel(%{{.*}}, %{{.*}}) names ["q", "k", "o"]
// CHECK-SAME:      {block = array<i64: 64, 1, 1>, grid = array<i64: 1, 2, 1>, smem = 5120 : i64}
// CHECK-NOT:   func.func private @kernel
// CHECK:       gpu.module @attn_kernels {
// CHECK:         gpu.func @kernel(%{{.*}}: memref<1x1x64x32xf16>, %{{.*}}: memref<1x1x64x32xf16>, %[[O:.*]]: memref<1x1x64x32xf32>) kernel
// CHECK-SAME:      known_block_size = array<i32: 64, 1, 1>
// CHECK-SAME:      known_grid_size = array<i32: 1, 2, 1>
// CHECK:           %[[TID:.*]] = gpu.thread_id x
// CHECK:           %[[SMEM:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK:           %[[QV:.*]] = memref.view %[[SMEM]][%{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<1x32x40xf16, #gpu.address_space<workgroup>>
// CHECK:           %[[QB:.*]] = memref.subview %[[QV]][0, 0, 0] [1, 32, 32] [1, 1, 1]
// CHECK-SAME:        to memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>
// CHECK:           %[[OFF:.*]] = arith.constant 2560 : index
// CHECK:           %[[KV:.*]] = memref.view %[[SMEM]][%[[OFF]]][]
// CHECK:           %[[KB:.*]] = memref.subview %[[KV]]
// CHECK:           %[[BID:.*]] = gpu.block_id y
//
// S = Q·Kᵀ: K is stored N-major, so its ldmatrix does not transpose.
// CHECK:           nvgpu.ldmatrix %[[KB]][{{.*}}] {numTiles = 4 : i32, transpose = false} : {{.*}} -> vector<4x2xf16>
// CHECK:           nvgpu.ldmatrix %[[QB]][{{.*}}] {numTiles = 4 : i32, transpose = false} : {{.*}} -> vector<4x2xf16>
// CHECK-COUNT-4:   nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK:           nvgpu.ldmatrix %[[KB]][
// CHECK:           nvgpu.ldmatrix %[[QB]][
// CHECK-COUNT-4:   nvgpu.mma.sync
//
// Row maximum: within the thread, then across the quad (xor 1, xor 2).
// CHECK:           %[[A:.*]] = arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK:           %[[ONE:.*]] = arith.constant 1 : i32
// CHECK:           %[[SH1:.*]], %{{.*}} = gpu.shuffle xor %[[A]], %[[ONE]], %{{.*}} : f32
// CHECK:           %[[B:.*]] = arith.maximumf %[[A]], %[[SH1]] : f32
// CHECK:           %[[TWO:.*]] = arith.constant 2 : i32
// CHECK:           %[[SH2:.*]], %{{.*}} = gpu.shuffle xor %[[B]], %[[TWO]], %{{.*}} : f32
// CHECK:           arith.maximumf %[[B]], %[[SH2]] : f32
// CHECK:           vector.broadcast %{{.*}} : f32 to vector<2xf32>
//
// P·K: the B operand is stored K-major, so its ldmatrix transposes; the A
// operand comes from registers, and the accumulator is the old S.
// CHECK:           nvgpu.ldmatrix %[[KB]][{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK-NOT:       nvgpu.ldmatrix %[[QB]][
// CHECK:           nvgpu.mma.sync
// CHECK:           nvgpu.ldmatrix %[[KB]][{{.*}}] {numTiles = 4 : i32, transpose = true}
// CHECK:           vector.maskedstore %[[O]][{{.*}}], %{{.*}}, %{{.*}} : memref<1x1x64x32xf32>, vector<2xi1>, vector<2xf32>
// CHECK:           gpu.return

func.func private @kernel(%q: memref<1x1x64x32xf16>, %k: memref<1x1x64x32xf16>,
                          %o: memref<1x1x64x32xf32>)
    attributes {tile.grid = array<i64: 1, 2, 1>, tile.num_warps = 2 : i64} {
  %c0 = arith.constant 0 : index
  %qb = tile.alloc_shared : memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>
  %kb = tile.alloc_shared : memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>>
  %pid = tile.program_id 1
  %qt = tile.local_load %qb[%c0] : memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>> -> tensor<32x32xf16>
  %kt = tile.local_load %kb[%c0] : memref<1x32x32xf16, strided<[1280, 40, 1]>, #gpu.address_space<workgroup>> -> tensor<32x32xf16>
  %s = tile.dot %qt, %kt transpose_rhs : tensor<32x32xf16>, tensor<32x32xf16> -> tensor<32x32xf32>
  %m = tile.reduce max %s : tensor<32x32xf32> -> tensor<32xf32>
  %mb = tile.broadcast %m : tensor<32xf32> -> tensor<32x32xf32>
  %p = arith.subf %s, %mb : tensor<32x32xf32>
  %p16 = arith.truncf %p : tensor<32x32xf32> to tensor<32x32xf16>
  %acc = tile.dot %p16, %kt, %s : tensor<32x32xf16>, tensor<32x32xf16>, tensor<32x32xf32> -> tensor<32x32xf32>
  tile.store %acc, %o[%c0, %c0, %pid, %c0] : tensor<32x32xf32>, memref<1x1x64x32xf32>
  return
}
func.func @host(%q: tensor<1x1x64x32xf16>, %k: tensor<1x1x64x32xf16>) -> tensor<1x1x64x32xf32> {
  %o = tile.launch @kernel(%q, %k) names ["q", "k", "o"]
      : (tensor<1x1x64x32xf16>, tensor<1x1x64x32xf16>) -> tensor<1x1x64x32xf32>
  return %o : tensor<1x1x64x32xf32>
}

// -----

// f32 operands: m16n8k8 TF32 MMAs, three per 8-column atom (high/low
// split), with operands read element by element from shared memory. One
// warp; buffers padded by 4 floats: 16×12×4 = 768 bytes, then 8×20×4.

// CHECK-LABEL: func.func @host_f32
// CHECK:         tile.launch @tf32() names ["o"]
// CHECK-SAME:      {block = array<i64: 32, 1, 1>, grid = array<i64: 3, 1, 1>, smem = 1408 : i64}
// CHECK:       gpu.func @tf32
// CHECK-SAME:      known_block_size = array<i32: 32, 1, 1>
// CHECK-NOT:       nvgpu.ldmatrix
// CHECK:           memref.load
// CHECK-COUNT-6:   nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled} : (vector<4x1xf32>, vector<2x1xf32>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT:       nvgpu.mma.sync
// CHECK:           gpu.return

func.func private @tf32(%o: memref<16x16xf32>)
    attributes {tile.grid = array<i64: 3, 1, 1>, tile.num_warps = 1 : i64} {
  %c0 = arith.constant 0 : index
  %a = tile.alloc_shared : memref<1x16x8xf32, strided<[192, 12, 1]>, #gpu.address_space<workgroup>>
  %b = tile.alloc_shared : memref<1x8x16xf32, strided<[160, 20, 1]>, #gpu.address_space<workgroup>>
  %x = tile.local_load %a[%c0] : memref<1x16x8xf32, strided<[192, 12, 1]>, #gpu.address_space<workgroup>> -> tensor<16x8xf32>
  %y = tile.local_load %b[%c0] : memref<1x8x16xf32, strided<[160, 20, 1]>, #gpu.address_space<workgroup>> -> tensor<8x16xf32>
  %r = tile.dot %x, %y : tensor<16x8xf32>, tensor<8x16xf32> -> tensor<16x16xf32>
  tile.store %r, %o[%c0, %c0] : tensor<16x16xf32>, memref<16x16xf32>
  return
}
func.func @host_f32() -> tensor<16x16xf32> {
  %o = tile.launch @tf32() names ["o"] : () -> tensor<16x16xf32>
  return %o : tensor<16x16xf32>
}

// -----

// Functions without tile.grid are not kernels and stay as they are; with no
// kernel at all, no gpu.module is created.

// CHECK-LABEL: func.func @not_a_kernel
// CHECK:         tile.program_id 0
// CHECK-NOT:   gpu.module
func.func @not_a_kernel() -> index {
  %0 = tile.program_id 0
  return %0 : index
}
