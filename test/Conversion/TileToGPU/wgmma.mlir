// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s

// The wgmma pattern set (compiler/Conversion/TileToGPU/WgmmaPatterns.cpp):
// tile.dot on #tile.mma<wgmma> tiles becomes, per 64-row slab of each
// compute warpgroup and per 16-element k-step, one wgmma.mma_async
// m64nNk16 with f32 accumulators, between a wgmma fence and a commit;
// a synchronous product then waits for its group (wait_group 0).
//
// Operands in 128-byte-swizzled shared memory are read through matrix
// descriptors: bits 0-13 the start address / 16, bits 16-29 the
// leading-dimension byte offset / 16, bits 32-45 the stride (1024 bytes,
// one 8-row swizzle atom) / 16, bits 62-63 the 128-byte swizzle mode.
// So the constant part is 2^62 + (64 << 32) + ((LBO / 16) << 16):
//   K-major (LBO 16):             4611686293305360384
//   N-major, 64 rows (LBO 8192):  4611686293338849280

// S = Q·Kᵀ, f16, 64x64x64, one warpgroup: both operands from shared memory
// (the SS form, nvvm.wgmma.mma_async), K read K-major (layout col). Four
// k-steps of 32 bytes each: descriptors advance by 2 (x16 bytes); the
// first step overwrites the accumulator (D scale zero), the others add.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 16384, chip = "sm_90a", mma = wgmma>
// CHECK-LABEL: gpu.func @qk
// CHECK:         %[[TID:.*]] = gpu.thread_id x
// CHECK:         %[[WARP:.*]] = arith.divui %[[TID]], %{{.*}} : index
// CHECK:         %[[KPTR:.*]] = llvm.getelementptr %{{.*}}[8192] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK:         %[[GROUP:.*]] = arith.divui %[[WARP]], %{{.*}} : index
//   B (K): K-major descriptor.
// CHECK:         %[[KADDR:.*]] = llvm.ptrtoint %{{.*}} : !llvm.ptr<3> to i64
// CHECK:         %[[KMASK:.*]] = arith.andi %[[KADDR]], %{{.*}} : i64
// CHECK:         %[[KSTART:.*]] = arith.shrui %[[KMASK]], %{{.*}} : i64
// CHECK:         %[[KBITS:.*]] = arith.constant 4611686293305360384 : i64
// CHECK:         %[[DB:.*]] = arith.ori %[[KSTART]], %[[KBITS]] : i64
//   A (Q): K-major too, moved to the warpgroup's 64-row slab (8192 bytes).
// CHECK:         %[[QBITS:.*]] = arith.constant 4611686293305360384 : i64
// CHECK:         %[[DQ:.*]] = arith.ori %{{.*}}, %[[QBITS]] : i64
// CHECK:         %[[SLAB:.*]] = arith.constant 8192 : index
// CHECK:         %[[SLABOFF:.*]] = arith.muli %[[GROUP]], %[[SLAB]] : index
// CHECK:         %[[DA:.*]] = arith.addi %[[DQ]], %{{.*}} : i64
// CHECK:         nvvm.wgmma.fence.aligned
// CHECK:         %[[P:.*]] = llvm.mlir.poison : !llvm.struct<(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)>
// CHECK:         %[[W0:.*]] = nvvm.wgmma.mma_async %[[DA]], %[[DB]], %[[P]], <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK:         %[[C2:.*]] = arith.constant 2 : i64
// CHECK-NEXT:    %[[DB1:.*]] = arith.addi %[[DB]], %[[C2]] : i64
// CHECK:         %[[DA1:.*]] = arith.addi %[[DA]], %{{.*}} : i64
// CHECK-NEXT:    %[[W1:.*]] = nvvm.wgmma.mma_async %[[DA1]], %[[DB1]], %[[W0]], <m = 64, n = 64, k = 16>, D[<f32>, <one>], A[<f16>, <one>, <row>], B[<f16>, <one>, <col>]
// CHECK:         arith.constant 4 : i64
// CHECK:         %[[W2:.*]] = nvvm.wgmma.mma_async %{{.*}}, %{{.*}}, %[[W1]], {{.*}} D[<f32>, <one>]
// CHECK:         arith.constant 6 : i64
// CHECK:         %[[W3:.*]] = nvvm.wgmma.mma_async %{{.*}}, %{{.*}}, %[[W2]], {{.*}} D[<f32>, <one>]
// CHECK-NOT:     nvvm.wgmma.mma_async
// CHECK:         nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:    nvvm.wgmma.wait.group.sync.aligned 0
// The accumulator struct is the thread's pieces: registers 4s+2h+j.
// CHECK-NEXT:    llvm.extractvalue %[[W3]][0]
// CHECK-NEXT:    llvm.extractvalue %[[W3]][1]
// CHECK-NEXT:    vector.from_elements
// CHECK-NEXT:    llvm.extractvalue %[[W3]][2]
// CHECK-NEXT:    llvm.extractvalue %[[W3]][3]
// CHECK:         gpu.return
func.func private @qk() attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %qb = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x64x64xf16, #sw>
  %kb = tile.alloc_shared {offset = 8192 : i64} : !tile.buffer<1x64x64xf16, #sw>
  %q = tile.local_load %qb[%c0] : !tile.buffer<1x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
  %k = tile.local_load %kb[%c0] : !tile.buffer<1x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
  %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
  return
}

// -----

// bf16, D = 128, two compute warpgroups: 128-column tiles are two 64-column
// blocks of rows x 128 bytes, so k-steps 4-7 continue one block further:
// B (64 rows) by 64·128 = 8192 bytes (+512), A (128 rows) by 16384 (+1024).
// Each warpgroup computes its own 64-row slab: one wgmma per k-step.

#mma = #tile.mma<wgmma, warps = 8>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 128, block_n = 64, stages = 1, smem = 49152, chip = "sm_90a", mma = wgmma>
// CHECK-LABEL: gpu.func @two_blocks
// CHECK:         nvvm.wgmma.fence.aligned
// CHECK:         nvvm.wgmma.mma_async {{.*}} <m = 64, n = 64, k = 16>, D[<f32>, <zero>], A[<bf16>, <one>, <row>], B[<bf16>, <one>, <col>]
// CHECK:         arith.constant 2 : i64
// CHECK:         nvvm.wgmma.mma_async
// CHECK:         arith.constant 4 : i64
// CHECK:         nvvm.wgmma.mma_async
// CHECK:         arith.constant 6 : i64
// CHECK:         nvvm.wgmma.mma_async
// CHECK:         %[[B4:.*]] = arith.constant 512 : i64
// CHECK-NEXT:    %[[DB4:.*]] = arith.addi %{{.*}}, %[[B4]] : i64
// CHECK-NEXT:    %[[A4:.*]] = arith.constant 1024 : i64
// CHECK-NEXT:    %[[DA4:.*]] = arith.addi %{{.*}}, %[[A4]] : i64
// CHECK-NEXT:    nvvm.wgmma.mma_async %[[DA4]], %[[DB4]], {{.*}} D[<f32>, <one>]
// CHECK:         arith.constant 514 : i64
// CHECK:         arith.constant 1026 : i64
// CHECK:         arith.constant 516 : i64
// CHECK:         arith.constant 1028 : i64
// CHECK:         arith.constant 518 : i64
// CHECK:         arith.constant 1030 : i64
// CHECK-NEXT:    arith.addi
// CHECK-NEXT:    nvvm.wgmma.mma_async
// CHECK-NOT:     nvvm.wgmma.mma_async
// CHECK:         nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:    nvvm.wgmma.wait.group.sync.aligned 0
func.func private @two_blocks() attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %qb = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x128x128xbf16, #sw>
  %kb = tile.alloc_shared {offset = 32768 : i64} : !tile.buffer<1x64x128xbf16, #sw>
  %q = tile.local_load %qb[%c0] : !tile.buffer<1x128x128xbf16, #sw> -> tensor<128x128xbf16, #sw>
  %k = tile.local_load %kb[%c0] : !tile.buffer<1x64x128xbf16, #sw> -> tensor<64x128xbf16, #sw>
  %s = tile.dot %q, %k transpose_rhs : tensor<128x128xbf16, #sw>, tensor<64x128xbf16, #sw> -> tensor<128x64xf32, #mma>
  return
}

// -----

// O = P·V with P in registers (#tile.operand<a>): MLIR's NVVM op has no
// register-A form, so each k-step is inline PTX: 32 f32 outputs tied to
// the accumulator's registers, P's four 32-bit registers (pairs of bf16),
// V's descriptor (N-major: imm-trans-b 1, LBO = 64 rows x 128 bytes) and a
// scale-d predicate operand (1: accumulate onto %acc). The descriptor
// advances 16 rows (2048 bytes, +128) per k-step. An async product ends at
// the commit: no wait_group 0; tile.dot_wait is a wait_group of its own
// that takes and returns every register of the waited tiles (32 f32 of the
// accumulator, 16 i32 of P).

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 8192, chip = "sm_90a", mma = wgmma>
// CHECK-LABEL: gpu.func @pv_async
// CHECK:         %[[VBITS:.*]] = arith.constant 4611686293338849280 : i64
// CHECK-NEXT:    %[[DV:.*]] = arith.ori %{{.*}}, %[[VBITS]] : i64
// CHECK-NEXT:    nvvm.wgmma.fence.aligned
// CHECK-NOT:     nvvm.wgmma.mma_async
// CHECK:         vector.bitcast %{{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK:         %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT:    %[[W0:.*]] = llvm.inline_asm has_side_effects asm_dialect = att "{\0A.reg .pred p;\0Asetp.ne.b32 p, $69, 0;\0Awgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {$0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31}, {$64, $65, $66, $67}, $68, p, 1, 1, 1;\0A}", "=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,r,r,r,r,l,r"
// CHECK-SAME:      %[[DV]], %[[ONE]] :
// CHECK-SAME:      -> !llvm.struct<(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)>
// CHECK:         %[[K1:.*]] = arith.constant 128 : i64
// CHECK-NEXT:    %[[DV1:.*]] = arith.addi %[[DV]], %[[K1]] : i64
// CHECK:         llvm.inline_asm has_side_effects {{.*}}wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}} %[[DV1]], %{{.*}} :
// CHECK:         arith.constant 256 : i64
// CHECK:         llvm.inline_asm has_side_effects {{.*}}wgmma.mma_async.sync.aligned.m64n64k16
// CHECK:         arith.constant 384 : i64
// CHECK:         llvm.inline_asm has_side_effects {{.*}}wgmma.mma_async.sync.aligned.m64n64k16
// CHECK-NEXT:    nvvm.wgmma.commit.group.sync.aligned
// CHECK-NOT:     nvvm.wgmma.wait.group.sync.aligned
// CHECK:         llvm.inline_asm has_side_effects asm_dialect = att "wgmma.wait_group.sync.aligned 1;", "=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=r,=r,=r,=r,=r,=r,=r,=r,=r,=r,=r,=r,=r,=r,=r,=r,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47"
// CHECK-NOT:     wgmma
// CHECK:         gpu.return
func.func private @pv_async(%pin: memref<64x64xbf16>, %o: memref<64x64xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %p = tile.load %pin[%c0, %c0] : memref<64x64xbf16> -> tensor<64x64xbf16, #mma>
  %a = tile.convert_layout %p : tensor<64x64xbf16, #mma> -> tensor<64x64xbf16, #tile.operand<a, #mma>>
  %vb = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x64x64xbf16, #sw>
  %v = tile.local_load %vb[%c0] : !tile.buffer<1x64x64xbf16, #sw> -> tensor<64x64xbf16, #sw>
  %acc = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  %r = tile.dot %a, %v, %acc async : tensor<64x64xbf16, #tile.operand<a, #mma>>, tensor<64x64xbf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
  %w:2 = tile.dot_wait %r, %a pending = 1 : tensor<64x64xf32, #mma>, tensor<64x64xbf16, #tile.operand<a, #mma>>
  tile.store %w#0, %o[%c0, %c0] : tensor<64x64xf32, #mma>, memref<64x64xf32>
  return
}

// -----

// Without an accumulator the register-A form starts with scale-d 0 (D =
// A·B), then accumulates: the predicate operand is 0 for the first k-step
// only. With B read transposed (K-major) imm-trans-b is 0; f16 elements
// name f16 in the instruction; N = 32 takes 16 accumulator registers.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 32, stages = 1, smem = 4096, chip = "sm_90a", mma = wgmma>
// CHECK-LABEL: gpu.func @fresh
// CHECK:         llvm.mlir.poison : !llvm.struct<(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)>
// CHECK:         %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK-NEXT:    llvm.inline_asm {{.*}}wgmma.mma_async.sync.aligned.m64n32k16.f32.f16.f16 {$0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15}, {$32, $33, $34, $35}, $36, p, 1, 1, 0;{{.*}}", "=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,=f,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,r,r,r,r,l,r" {{.*}}, %[[ZERO]] :
// CHECK-COUNT-3: llvm.inline_asm {{.*}}m64n32k16.f32.f16.f16{{.*}}, %{{.*}} : (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, i32, i32, i32, i32, i64, i32)
// CHECK-NOT:     llvm.inline_asm
// CHECK:         nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:    nvvm.wgmma.wait.group.sync.aligned 0
func.func private @fresh(%pin: memref<64x64xf16>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %p = tile.load %pin[%c0, %c0] : memref<64x64xf16> -> tensor<64x64xf16, #mma>
  %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
  %kb = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x32x64xf16, #sw>
  %k = tile.local_load %kb[%c0] : !tile.buffer<1x32x64xf16, #sw> -> tensor<32x64xf16, #sw>
  %r = tile.dot %a, %k transpose_rhs : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<32x64xf16, #sw> -> tensor<64x32xf32, #mma>
  return
}
