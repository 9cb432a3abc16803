// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/attention.mlir -attn-select-tiling="chip=sm_90a block-m=128 num-warps=8" -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize | FileCheck %t/attention.mlir
// RUN: attn-opt %t/tile.mlir -split-input-file -attn-warp-specialize | FileCheck %t/tile.mlir
// RUN: attn-opt %t/attention.mlir -attn-select-tiling=chip=sm_90a -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize -attn-assign-layouts -attn-allocate-shared | FileCheck %t/attention.mlir --check-prefix=TWO
// RUN: attn-opt %t/attention.mlir -attn-select-tiling="chip=sm_90a block-n=64" -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize | FileCheck %t/attention.mlir --check-prefix=BN64
// RUN: attn-opt %t/d128.mlir -attn-select-tiling="chip=sm_90a block-m=64 num-warps=4" -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize -attn-assign-layouts -attn-allocate-shared | FileCheck %t/d128.mlir --check-prefix=FULL
// RUN: attn-opt %t/tile.mlir -split-input-file -attn-warp-specialize="producer-registers=40 compute-registers=232" | FileCheck %t/tile.mlir --check-prefix=OPTS

// attn-warp-specialize: after the allocations and the barrier that
// publishes the barriers' initialization, a warp-specialized kernel's body
// becomes a tile.warp_specialize. The producer region holds the TMA copies
// and the waits for free slots (waits on `release` barriers), inside clones
// of the loops and branches around them and of the index arithmetic they
// need; the compute region holds everything else, without them. Register
// budgets default to 24 for the producers and, with two compute
// warpgroups (12 warps: 65536 / 384 -> 168 a thread at launch), 240 for
// the compute warps ((168·384 - 24·128) / 256).

//--- attention.mlir

// D = 64 by default (N <= 4096): one compute warpgroup, built for two
// programs per SM. Each launches with 65536 / (2 x 256) = 128 registers a
// thread, so the compute warps get (128·256 - 24·128) / 128 = 232; ptxas is
// told the same (nvvm.minctasm, see convert-tile-to-gpu). Two sets of
// buffers (72 KiB each) fit in the SM's 228 KiB.
// TWO:         tile.warp_specialize attributes {compute_registers = 232 : i64, producer_registers = 24 : i64}
// TWO:         tile.launch
// TWO-SAME:    block_m = 64, block_n = 128, stages = 2, smem = 73856, chip = "sm_90a", mma = wgmma, producer_warps = 4, programs_per_sm = 2>
// With 64-key steps it stays at one program per SM: such causal kernels hung
// on the H100 with two.
// BN64:        tile.warp_specialize attributes {compute_registers = 256 : i64, producer_registers = 24 : i64}
// BN64-NOT:    programs_per_sm

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    (%{{[^:]*}}: memref<1x2x256x64xbf16>, %{{[^:]*}}: memref<1x2x256x64xbf16>, %{{[^:]*}}: memref<1x2x256x64xbf16>, %[[O:[^:]*]]: memref<1x2x256x64xbf16>, %[[QMAP:[^:]*]]: !tile.tensor_map<128x64xbf16, swizzle = 128>, %[[KMAP:[^:]*]]: !tile.tensor_map<128x64xbf16, swizzle = 128>, %[[VMAP:[^:]*]]: !tile.tensor_map<128x64xbf16, swizzle = 128>)
// CHECK-NEXT:    %[[QBUF:.*]] = tile.alloc_shared
// CHECK-NEXT:    %[[QFULL:.*]] = tile.alloc_mbarrier copy : <1>
// CHECK-NEXT:    %[[KBUF:.*]] = tile.alloc_shared
// CHECK-NEXT:    %[[KFULL:.*]] = tile.alloc_mbarrier copy : <2>
// CHECK-NEXT:    %[[KEMPTY:.*]] = tile.alloc_mbarrier release : <2>
// CHECK-NEXT:    %[[VBUF:.*]] = tile.alloc_shared
// CHECK-NEXT:    %[[VFULL:.*]] = tile.alloc_mbarrier copy : <2>
// CHECK-NEXT:    %[[VEMPTY:.*]] = tile.alloc_mbarrier release : <2>
// CHECK-NEXT:    tile.barrier
// CHECK-NEXT:    tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
//
// Producer: Q's copy, then per K/V step a wait for a free slot before each
// copy, in a loop over the same range; no waits for landed tiles, no views,
// no products, no releases, no store.
// CHECK-NOT:       tile.mbarrier_wait %[[QFULL]]
// CHECK:           tile.tma_load %[[QMAP]][%{{.*}}], %[[QBUF]][%{{.*}}], %[[QFULL]]
// CHECK:           scf.for %[[PJ:[^ ]*]] = %{{.*}} to %{{.*}} step %{{[^ ]*}} {
// CHECK:             tile.mbarrier_wait %[[KEMPTY]][%[[PS:[0-9a-z_]*]]], %[[PF:[^ ]*]] : <2>
// CHECK:             tile.tma_load %[[KMAP]][%{{.*}}, %[[PJ]], %{{.*}}], %[[KBUF]][%[[PS]]], %[[KFULL]]
// CHECK:             tile.mbarrier_wait %[[VEMPTY]][%[[PS]]], %[[PF]] : <2>
// CHECK:             tile.tma_load %[[VMAP]][%{{.*}}, %[[PJ]], %{{.*}}], %[[VBUF]][%[[PS]]], %[[VFULL]]
// CHECK-NEXT:      }
// CHECK-NEXT:    } compute {
//
// Compute: waits for each tile, reads it, releases it; it issues no copy
// and never waits for a free slot.
// CHECK-NOT:       tile.tma_load
// CHECK:           tile.mbarrier_wait %[[QFULL]][%{{.*}}], %{{.*}} : <1>
// CHECK:           tile.local_load %[[QBUF]]
// CHECK:           scf.for
// CHECK-NOT:         tile.tma_load
// CHECK-NOT:         tile.mbarrier_wait %[[KEMPTY]]
// CHECK:             tile.mbarrier_wait %[[KFULL]]
// CHECK:             tile.local_load %[[KBUF]]
// CHECK:             tile.dot
// CHECK:             tile.mbarrier_arrive %[[KEMPTY]]
// CHECK-NOT:         tile.mbarrier_wait %[[VEMPTY]]
// CHECK:             tile.mbarrier_wait %[[VFULL]]
// CHECK:             tile.local_load %[[VBUF]]
// CHECK:             tile.dot
// CHECK:             tile.mbarrier_arrive %[[VEMPTY]]
// CHECK:             scf.yield
// CHECK-NOT:       tile.tma_load
// CHECK:           tile.store %{{.*}}, %[[O]]
// CHECK-NEXT:    }
// CHECK-NEXT:    return

func.func @attention(%q: tensor<1x2x256x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                     %v: tensor<1x2x256x64xbf16>) -> tensor<1x2x256x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
      -> tensor<1x2x256x64xbf16>
  return %o : tensor<1x2x256x64xbf16>
}

//--- tile.mlir

// The producer gets a clone of the loop (without its iter_args) and of the
// pure index arithmetic the copy and its wait read, each at its own depth;
// the program id it needs is cloned before the loop. The tile computation
// stays with the compute warps only.

#cfg = #tile.config<grid = [4, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
// CHECK-LABEL: func.func private @loop
// CHECK-SAME:    (%{{[^:]*}}: memref<4x256x64xf16>, %[[MAP:[^:]*]]: !tile.tensor_map<64x64xf16, swizzle = 128>)
// CHECK:         %[[BUF:.*]] = tile.alloc_shared
// CHECK-NEXT:    %[[FULL:.*]] = tile.alloc_mbarrier copy
// CHECK-NEXT:    %[[EMPTY:.*]] = tile.alloc_mbarrier release
// CHECK-NEXT:    tile.barrier
// CHECK-NEXT:    tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
// CHECK:           %[[PID:.*]] = tile.program_id 0
// CHECK-NEXT:      scf.for %[[J:[^ ]*]] = %{{.*}} to %{{.*}} step %[[STEP:[^ ]*]] {
// CHECK-NEXT:        %[[I:.*]] = arith.divui %[[J]], %[[STEP]] : index
// CHECK-NEXT:        %[[SLOT:.*]] = arith.remui %[[I]], %{{.*}} : index
// CHECK-NEXT:        %[[PAR:.*]] = arith.remui %[[SLOT]], %{{.*}} : index
// CHECK-NEXT:        %[[FREE:.*]] = arith.xori %[[PAR]], %{{.*}} : index
// CHECK-NEXT:        tile.mbarrier_wait %[[EMPTY]][%[[SLOT]]], %[[FREE]] : <2>
// CHECK-NEXT:        tile.tma_load %[[MAP]][%[[PID]], %[[J]], %{{.*}}], %[[BUF]][%[[SLOT]]], %[[FULL]]
// CHECK-NEXT:      }
// CHECK-NEXT:    } compute {
// CHECK:           %[[R:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<64x64xf32>) {
// CHECK-NOT:         tile.tma_load
// CHECK-NOT:         tile.mbarrier_wait %[[EMPTY]]
// CHECK:             tile.mbarrier_wait %[[FULL]]
// CHECK-NEXT:        %[[T:.*]] = tile.local_load %[[BUF]]
// CHECK-NEXT:        %[[S:.*]] = tile.dot %[[T]], %[[T]], %[[ACC]] transpose_rhs
// CHECK-NEXT:        tile.mbarrier_arrive %[[EMPTY]]
// CHECK-NEXT:        scf.yield %[[S]]
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    return
// OPTS-LABEL: func.func private @loop
// OPTS:         tile.warp_specialize attributes {compute_registers = 232 : i64, producer_registers = 40 : i64} producer {
func.func private @loop(%x: memref<4x256x64xf16>, %map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<2x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<2>
  %empty = tile.alloc_mbarrier release : !tile.mbarrier<2>
  tile.barrier
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %c256 = arith.constant 256 : index
  %pid = tile.program_id 0
  %acc0 = arith.constant dense<0.0> : tensor<64x64xf32>
  %r = scf.for %j = %c0 to %c256 step %c64 iter_args(%acc = %acc0) -> tensor<64x64xf32> {
    %i = arith.divui %j, %c64 : index
    %slot = arith.remui %i, %c2 : index
    %par = arith.remui %slot, %c2 : index
    %free = arith.xori %par, %c1 : index
    tile.mbarrier_wait %empty[%slot], %free : !tile.mbarrier<2>
    tile.tma_load %map[%pid, %j, %c0], %buf[%slot], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #sw>, !tile.mbarrier<2>
    tile.mbarrier_wait %full[%slot], %par : !tile.mbarrier<2>
    %t = tile.local_load %buf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %t, %t, %acc transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw>, tensor<64x64xf32> -> tensor<64x64xf32>
    tile.mbarrier_arrive %empty[%slot] : !tile.mbarrier<2>
    scf.yield %s : tensor<64x64xf32>
  }
  return
}

// -----

// A copy under a branch: the producer gets the branch, with the comparison
// it reads.

#cfg = #tile.config<grid = [4, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
// CHECK-LABEL: func.func private @branch
// CHECK:         tile.warp_specialize
// CHECK-SAME:    producer {
// CHECK:           %[[PID:.*]] = tile.program_id 0
// CHECK:           %[[C:.*]] = arith.cmpi ult, %[[PID]], %{{.*}} : index
// CHECK:           scf.if %[[C]] {
// CHECK-NEXT:        tile.tma_load
// CHECK-NEXT:      }
// CHECK-NEXT:    } compute {
// CHECK:           scf.if
// CHECK-NEXT:        tile.mbarrier_wait
// CHECK-NEXT:      }
// CHECK-NOT:       tile.tma_load
// CHECK:         return
func.func private @branch(%map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %pid = tile.program_id 0
  %first = arith.cmpi ult, %pid, %c2 : index
  scf.if %first {
    tile.tma_load %map[%c0, %c0, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
    tile.mbarrier_wait %full[%c0], %c0 : !tile.mbarrier<1>
  }
  return
}

// -----

// A copy at a row read from an argument nothing writes (a packed batch's
// sequence offsets): the producer loads it again.

#cfg = #tile.config<grid = [4, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
// CHECK-LABEL: func.func private @invariant_read
// CHECK-SAME:    (%[[MAP:[^:]*]]: !tile.tensor_map<64x64xf16, swizzle = 128>, %[[CU:[^:]*]]: memref<5xi32>)
// CHECK:         tile.warp_specialize
// CHECK-SAME:    producer {
// CHECK:           %[[FIRST:.*]] = memref.load %[[CU]][%{{.*}}] : memref<5xi32>
// CHECK:           %[[ROW:.*]] = arith.index_castui %[[FIRST]] : i32 to index
// CHECK:           tile.tma_load %[[MAP]][%{{.*}}, %[[ROW]], %{{.*}}]
// CHECK:         } compute {
// CHECK:           memref.load %[[CU]]
// CHECK-NOT:       tile.tma_load
// CHECK:         return
func.func private @invariant_read(%map: !tile.tensor_map<64x64xf16, swizzle = 128>, %cu: memref<5xi32>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  %pid = tile.program_id 0
  %first = memref.load %cu[%pid] : memref<5xi32>
  %row = arith.index_castui %first : i32 to index
  tile.tma_load %map[%c0, %row, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  tile.mbarrier_wait %full[%c0], %c0 : !tile.mbarrier<1>
  return
}

// -----

// A copy at a row a loop of invariant reads computes (a packed batch's
// sequence search), the loop reading a bound defined before it: the
// producer gets the loop, with the bound.

#cfg = #tile.config<grid = [4, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
#sw = #tile.shared<swizzle = 128>
// CHECK-LABEL: func.func private @search_loop
// CHECK:         tile.warp_specialize
// CHECK-SAME:    producer {
// CHECK:           %[[N:.*]] = memref.dim %{{.*}}, %{{.*}} : memref<?xi32>
// CHECK:           %[[S:.*]] = scf.for %{{.*}} = %{{.*}} to %[[N]] step %{{.*}} iter_args(%{{.*}} = %{{.*}}) -> (index) {
// CHECK:             memref.load
// CHECK:           }
// CHECK:           tile.tma_load %{{.*}}[%{{.*}}, %[[S]], %{{.*}}]
// CHECK:         } compute {
// CHECK:           scf.for
// CHECK-NOT:       tile.tma_load
// CHECK:         return
func.func private @search_loop(%map: !tile.tensor_map<64x64xf16, swizzle = 128>, %cu: memref<?xi32>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %cu, %c0 : memref<?xi32>
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %c0) -> (index) {
    %x = memref.load %cu[%i] : memref<?xi32>
    %xi = arith.index_castui %x : i32 to index
    %next = arith.maxui %acc, %xi : index
    scf.yield %next : index
  }
  tile.tma_load %map[%c0, %s, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  tile.mbarrier_wait %full[%c0], %c0 : !tile.mbarrier<1>
  return
}

// -----

// Kernels without producer warps are left alone.

#cfg = #tile.config<grid = [4, 1, 1], warps = 8, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma>
#sw = #tile.shared<swizzle = 128>
// CHECK-LABEL: func.func private @not_specialized
// CHECK-NOT:     tile.warp_specialize
// CHECK:         tile.tma_load
// CHECK-NEXT:    return
func.func private @not_specialized(%map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  tile.barrier
  %c0 = arith.constant 0 : index
  tile.tma_load %map[%c0, %c0, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  return
}

//--- d128.mlir

// D = 128 with one compute warpgroup: the registers are budgeted for two
// programs, but 2 x 144 KiB of buffers do not fit in an SM, so
// attn-allocate-shared builds it for one.
// FULL:        tile.warp_specialize attributes {compute_registers = 232 : i64, producer_registers = 24 : i64}
// FULL:        tile.launch
// FULL-SAME:   smem = 147584, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func @attention(%q: tensor<1x2x256x128xbf16>, %k: tensor<1x2x256x128xbf16>,
                     %v: tensor<1x2x256x128xbf16>) -> tensor<1x2x256x128xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x256x128xbf16>, tensor<1x2x256x128xbf16>, tensor<1x2x256x128xbf16>
      -> tensor<1x2x256x128xbf16>
  return %o : tensor<1x2x256x128xbf16>
}
