// RUN: attn-opt %s -split-input-file -attn-assign-layouts -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s -split-input-file -attn-assign-layouts -attn-allocate-shared -attn-convert-tile-to-gpu -verify-diagnostics | FileCheck %s --check-prefix=GPU

// The backward's main kernel with the keys along the rows: the logsumexp
// (scaled) is broadcast down the rows, so it, its load and its scale are
// column slices (one value per column); dSᵀ, computed in registers, is the
// B operand of dQᵀ = Kᵀ·dSᵀ and goes through a shared buffer of its own.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 32, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
func.func private @keys_along_rows(%lse: memref<1x1x100xf32>, %src: memref<64x32xf32>, %acc: memref<1x1x100x64xf32>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #tile.shared<pad = 8>>
  %k = tile.local_load %buf[%c0] : !tile.buffer<1x64x64xf16, #tile.shared<pad = 8>> -> tensor<64x64xf16, #tile.shared<pad = 8>>
  %l = tile.load %lse[%c0, %c0, %c0] : memref<1x1x100xf32> -> tensor<32xf32>
  %log2e = arith.constant dense<1.44269502> : tensor<32xf32>
  %l2 = arith.mulf %l, %log2e : tensor<32xf32>
  %down = tile.broadcast %l2 dim 0 : tensor<32xf32> -> tensor<64x32xf32>
  %s = tile.load %src[%c0, %c0] : memref<64x32xf32> -> tensor<64x32xf32>
  %m = tile.mask %s[%c0, %c0] cols 100 causal transposed : tensor<64x32xf32>
  %x = arith.subf %m, %down : tensor<64x32xf32>
  %ds = arith.truncf %x : tensor<64x32xf32> to tensor<64x32xf16>
  %dqt = tile.dot %k, %ds transpose_lhs : tensor<64x64xf16, #tile.shared<pad = 8>>, tensor<64x32xf16> -> tensor<64x32xf32>
  tile.atomic_add %dqt, %acc[%c0, %c0, %c0, %c0] transpose : tensor<64x32xf32>, memref<1x1x100x64xf32>
  return
}

// CHECK-LABEL: func.func private @keys_along_rows
// CHECK:         %[[DSBUF:.*]] = tile.alloc_shared : <1x64x32xf16, #tile.shared<pad = 8>>
// CHECK:         tile.load %{{.*}} : memref<1x1x100xf32> -> tensor<32xf32, #tile.slice<dim = 0, <sync, warps = 4>>>
// CHECK:         arith.constant dense<1.44269502> : tensor<32xf32, #tile.slice<dim = 0, <sync, warps = 4>>>
// CHECK:         arith.mulf %{{.*}} : tensor<32xf32, #tile.slice<dim = 0, <sync, warps = 4>>>
// CHECK:         tile.broadcast %{{.*}} dim 0 : tensor<32xf32, #tile.slice<dim = 0, <sync, warps = 4>>> -> tensor<64x32xf32, #tile.mma<sync, warps = 4>>
// CHECK:         %[[DS:.*]] = arith.truncf
// CHECK:         tile.barrier
// CHECK-NEXT:    tile.local_store %[[DS]], %[[DSBUF]]
// CHECK-NEXT:    tile.barrier
// CHECK-NEXT:    %[[VIEW:.*]] = tile.local_load %[[DSBUF]]
// CHECK-NEXT:    tile.dot %{{.*}}, %[[VIEW]] transpose_lhs
// On the GPU the column vector, inside the memref and starting at an even
// element, is read two adjacent elements (8 bytes) at a time: 4 per thread
// for 32 columns; at the edge, element by element.
// GPU-LABEL: gpu.func @keys_along_rows
// GPU-NOT:     tile.
// GPU:         scf.if %{{.*}} -> (vector<2xf32>, vector<2xf32>, vector<2xf32>, vector<2xf32>)
// GPU-COUNT-4:   vector.load %{{.*}} {alignment = 8 : i64} : memref<1x1x100xf32>, vector<2xf32>
// GPU:         } else {
// GPU-COUNT-8:   memref.load %{{.*}} : memref<1x1x100xf32>
// GPU:         gpu.return

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
func.func private @both_ways(%lse: memref<1x1x100xf32>, %out: memref<64x64xf32>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %l = tile.load %lse[%c0, %c0, %c0] : memref<1x1x100xf32> -> tensor<64xf32>
  %down = tile.broadcast %l dim 0 : tensor<64xf32> -> tensor<64x64xf32>
  // expected-error @below {{uses a vector that is also broadcast down the rows (one value per column); attn-assign-layouts gives a vector one layout, per row or per column}}
  %across = tile.broadcast %l : tensor<64xf32> -> tensor<64x64xf32>
  %x = arith.addf %down, %across : tensor<64x64xf32>
  tile.store %x, %out[%c0, %c0] : tensor<64x64xf32>, memref<64x64xf32>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
func.func private @transpose_left(%src: memref<64x64xf32>, %out: memref<64x64xf32>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %s = tile.load %src[%c0, %c0] : memref<64x64xf32> -> tensor<64x64xf32>
  // expected-error @below {{is left: a tile in registers is not transposed}}
  %t = tile.transpose %s : tensor<64x64xf32> -> tensor<64x64xf32>
  tile.store %t, %out[%c0, %c0] : tensor<64x64xf32>, memref<64x64xf32>
  return
}

// -----

// A constant used per row and per column (CSE merged two): the column uses
// get a copy of their own.
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
func.func private @shared_constant(%lse: memref<1x1x100xf32>, %out: memref<64x64xf32>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %log2e = arith.constant dense<1.44269502> : tensor<64xf32>
  %l = tile.load %lse[%c0, %c0, %c0] : memref<1x1x100xf32> -> tensor<64xf32>
  %cols = arith.mulf %l, %log2e : tensor<64xf32>
  %down = tile.broadcast %cols dim 0 : tensor<64xf32> -> tensor<64x64xf32>
  %across = tile.broadcast %log2e : tensor<64xf32> -> tensor<64x64xf32>
  %x = arith.addf %down, %across : tensor<64x64xf32>
  tile.store %x, %out[%c0, %c0] : tensor<64x64xf32>, memref<64x64xf32>
  return
}
// CHECK-LABEL: func.func private @shared_constant
// CHECK-DAG:     %[[ROW:.*]] = arith.constant dense<1.44269502> : tensor<64xf32, #tile.slice<dim = 1, <sync, warps = 4>>>
// CHECK-DAG:     %[[COL:.*]] = arith.constant dense<1.44269502> : tensor<64xf32, #tile.slice<dim = 0, <sync, warps = 4>>>
// CHECK:         arith.mulf %{{.*}}, %[[COL]] : tensor<64xf32, #tile.slice<dim = 0, <sync, warps = 4>>>
// CHECK:         tile.broadcast %[[ROW]] : tensor<64xf32, #tile.slice<dim = 1, <sync, warps = 4>>>

// -----

// A vector of 12 columns has no layout on 8-column slices: a diagnostic,
// where the GPU lowering would have dropped 4 of them.
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90">
func.func private @twelve_columns(%lse: memref<1x1x100xf32>, %out: memref<64x12xf32>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{attn-assign-layouts: a tile of shape [12] has no register layout on this kernel's warps: #tile.slice: 12 columns are not a positive multiple of 8}}
  %l = tile.load %lse[%c0, %c0, %c0] : memref<1x1x100xf32> -> tensor<12xf32>
  %down = tile.broadcast %l dim 0 : tensor<12xf32> -> tensor<64x12xf32>
  tile.store %down, %out[%c0, %c0] : tensor<64x12xf32>, memref<64x12xf32>
  return
}

// -----

// The wgmma path (sm_90a, warp-specialized): dSᵀ goes to a 128-byte-swizzled
// buffer, the layout a wgmma descriptor reads, and only the compute warps
// meet at the barriers around its store: the producers run apart. On the
// GPU each thread writes its pairs 4 bytes at a time at swizzled addresses
// (16-byte chunk XOR row mod 8), then fences them for the async proxy that
// wgmma reads through; the barriers are named barrier 15 for the 256
// compute threads. Kᵀ is an M-major A operand (layout col), dSᵀ an N-major
// B (layout row).
#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 64, block_n = 128, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @keys_along_rows_wgmma(%src: memref<128x64xf32>, %acc: memref<1x1x100x128xf32>)
    attributes {tile.config = #cfg} {
  %kbuf = tile.alloc_shared : !tile.buffer<1x128x128xbf16, #tile.shared<swizzle = 128>>
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
  } compute {
    %c0 = arith.constant 0 : index
    %k = tile.local_load %kbuf[%c0] : !tile.buffer<1x128x128xbf16, #tile.shared<swizzle = 128>> -> tensor<128x128xbf16, #tile.shared<swizzle = 128>>
    %s = tile.load %src[%c0, %c0] : memref<128x64xf32> -> tensor<128x64xf32>
    %ds = arith.truncf %s : tensor<128x64xf32> to tensor<128x64xbf16>
    %dqt = tile.dot %k, %ds transpose_lhs : tensor<128x128xbf16, #tile.shared<swizzle = 128>>, tensor<128x64xbf16> -> tensor<128x64xf32>
    tile.atomic_add %dqt, %acc[%c0, %c0, %c0, %c0] transpose : tensor<128x64xf32>, memref<1x1x100x128xf32>
  }
  return
}

// CHECK-LABEL: func.func private @keys_along_rows_wgmma
// CHECK:         %[[DSBUF:.*]] = tile.alloc_shared : <1x128x64xbf16, #tile.shared<swizzle = 128>>
// CHECK:         %[[DS:.*]] = arith.truncf
// CHECK:         tile.barrier {warps = 8 : i64}
// CHECK-NEXT:    tile.local_store %[[DS]], %[[DSBUF]]
// CHECK-NEXT:    tile.barrier {warps = 8 : i64}
// CHECK-NEXT:    %[[VIEW:.*]] = tile.local_load %[[DSBUF]]
// CHECK-NEXT:    tile.dot %{{.*}}, %[[VIEW]] transpose_lhs : tensor<128x128xbf16, #tile.shared<swizzle = 128>>, tensor<128x64xbf16, #tile.shared<swizzle = 128>> -> tensor<128x64xf32, #tile.mma<wgmma, warps = 8>>
// GPU-LABEL: gpu.func @keys_along_rows_wgmma
// GPU:         nvvm.barrier id = %c15_i32{{.*}} number_of_threads = %c256_i32
// Byte (r, b) of the 128 x 64 slot is at row r (128 bytes), 16-byte chunk
// b / 16 XOR r mod 8, byte b mod 16 in it. A thread's rows are its first
// row r plus multiples of 8 and its pairs share a chunk, so one offset
// T = 128·r + 16·(r mod 8) + 2·c (its word at column c) serves all its
// stores: each is T XOR 16·(its chunk) plus 1024 for rows r + 8.
// GPU:         %[[ROW8:.*]] = arith.remui %[[ROW:.*]], %c8{{(_[0-9]+)?}} : index
// GPU:         %[[CHUNK:.*]] = arith.muli %[[ROW8]], %c16{{(_[0-9]+)?}} : index
// GPU:         %[[ROWB:.*]] = arith.muli %[[ROW]], %c128{{(_[0-9]+)?}} : index
// GPU-NEXT:    %[[RC:.*]] = arith.addi %[[ROWB]], %[[CHUNK]] : index
// GPU-NEXT:    %[[T:.*]] = arith.addi %[[RC]], %{{.*}} : index
// GPU:         %[[S0:.*]] = arith.xori %[[T]], %c0{{(_[0-9]+)?}} : index
// GPU:         %[[B0:.*]] = arith.addi %[[S0]], %c0{{(_[0-9]+)?}} : index
// GPU:         %[[OFF:.*]] = arith.index_castui %[[B0]] : index to i64
// GPU-NEXT:    %[[PTR:.*]] = llvm.getelementptr %{{.*}}[%[[OFF]]]
// GPU-NEXT:    llvm.store %{{.*}}, %[[PTR]] {alignment = 4 : i64} : i32, !llvm.ptr<3>
// GPU:         arith.addi %[[S0]], %c1024{{(_[0-9]+)?}} : index
// GPU:         llvm.store
// GPU:         %[[S1:.*]] = arith.xori %[[T]], %c16{{(_[0-9]+)?}} : index
// GPU:         arith.addi %[[S1]], %c0{{(_[0-9]+)?}} : index
// GPU:         llvm.store
// GPU:         arith.addi %[[S1]], %c1024{{(_[0-9]+)?}} : index
// GPU:         llvm.store
// GPU:         arith.xori %[[T]], %c32{{(_[0-9]+)?}} : index
// GPU-COUNT-12: llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr<3>
// GPU-NOT:     llvm.store
// GPU:         nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// GPU:         nvvm.barrier id = %c15_i32{{.*}} number_of_threads = %c256_i32
// GPU:         nvvm.wgmma.mma_async {{.*}} <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <col>], B[<bf16>, <one>, <row>]
// GPU-COUNT-7: nvvm.wgmma.mma_async {{.*}} A[<bf16>, <one>, <col>], B[<bf16>, <one>, <row>]
// GPU-NOT:     nvvm.wgmma.mma_async
// GPU:         gpu.return

// -----

// A wgmma operand staged from registers must fill 128-byte swizzle rows:
// 32 bf16 columns are 64 bytes.
#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 64, block_n = 128, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @narrow_staged_operand(%src: memref<128x32xf32>, %acc: memref<1x1x100x128xf32>)
    attributes {tile.config = #cfg} {
  %kbuf = tile.alloc_shared : !tile.buffer<1x128x128xbf16, #tile.shared<swizzle = 128>>
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
  } compute {
    %c0 = arith.constant 0 : index
    %k = tile.local_load %kbuf[%c0] : !tile.buffer<1x128x128xbf16, #tile.shared<swizzle = 128>> -> tensor<128x128xbf16, #tile.shared<swizzle = 128>>
    %s = tile.load %src[%c0, %c0] : memref<128x32xf32> -> tensor<128x32xf32>
    %ds = arith.truncf %s : tensor<128x32xf32> to tensor<128x32xbf16>
    // expected-error @below {{'tile.dot' op needs 'tensor<128x32xbf16, #tile.mma<wgmma, warps = 8>>' in a 128-byte-swizzled buffer for wgmma, whose rows must be a multiple of 128 bytes; they are 64}}
    %dqt = tile.dot %k, %ds transpose_lhs : tensor<128x128xbf16, #tile.shared<swizzle = 128>>, tensor<128x32xbf16> -> tensor<128x32xf32>
    tile.atomic_add %dqt, %acc[%c0, %c0, %c0, %c0] transpose : tensor<128x32xf32>, memref<1x1x100x128xf32>
  }
  return
}
