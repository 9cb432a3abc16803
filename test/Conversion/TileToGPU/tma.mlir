// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu | FileCheck %s

// The sm_90a memory pattern set (compiler/Conversion/TileToGPU/
// TmaPatterns.cpp): swizzled buffers and barrier rings are pointers into
// the dynamic shared memory at their offsets; thread 0 initializes each
// ring (arrival count 1 for `copy` rings, one per compute warp for
// `release` rings); tile.tma_load is, on lane 0 of the issuing warp, an
// expect-tx arrival with the slot's bytes and one cp.async.bulk.tensor per
// 64-column box; waits spin on mbarrier.try_wait.parity; a release is one
// arrival per converged warp; tile.warp_specialize splits the program on
// the warp index with setmaxnreg on each side; ping-pong turns are named
// barriers 1 + warpgroup with 256 participants.

#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 132096, chip = "sm_90a", mma = wgmma, producer_warps = 4>

// The kernel: a tensor-map parameter is an opaque pointer, listed in
// tile.tensor_map_params for attn-finalize-kernel-params; a warp-specialized
// kernel promises one program per SM with two compute warpgroups.
// CHECK-LABEL: gpu.module @attn_kernels
// CHECK:         gpu.func @ws(%{{.*}}: memref<4x256x128xbf16>, %[[MAP:.*]]: !llvm.ptr) kernel
// CHECK-SAME:      known_block_size = array<i32: 384, 1, 1>
// CHECK-SAME:      nvvm.minctasm = 1 : i32
// CHECK-SAME:      tile.tensor_map_params = array<i32: 1>
// CHECK:           %[[TID:.*]] = gpu.thread_id x
// CHECK:           %[[LANE:.*]] = arith.remui %[[TID]], %{{.*}} : index
// CHECK:           %[[WARP:.*]] = arith.divui %[[TID]], %{{.*}} : index
//
// The release ring at 131088: 8 arrivals (the compute warps) per phase.
// CHECK:           %[[EMPTY:.*]] = llvm.getelementptr %{{.*}}[131088] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// The copy ring at 131072 and the buffer at 0.
// CHECK:           %[[FULL:.*]] = llvm.getelementptr %{{.*}}[131072] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK:           %[[BUF:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
//
// Thread 0 initializes both barriers of each ring and fences them for TMA.
// CHECK:           %[[T0:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : index
// CHECK-NEXT:      scf.if %[[T0]] {
// CHECK-NEXT:        %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-NEXT:        nvvm.mbarrier.init %[[FULL]], %[[ONE]] : !llvm.ptr<3>, i32
// CHECK-NEXT:        %[[FULL1:.*]] = llvm.getelementptr %[[FULL]][8] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK-NEXT:        nvvm.mbarrier.init %[[FULL1]], %[[ONE]] : !llvm.ptr<3>, i32
// CHECK-NEXT:        nvvm.fence.mbarrier.init
// CHECK-NEXT:      }
// CHECK:           scf.if
// CHECK-NEXT:        %[[EIGHT:.*]] = arith.constant 8 : i32
// CHECK-NEXT:        nvvm.mbarrier.init %[[EMPTY]], %[[EIGHT]] : !llvm.ptr<3>, i32
// CHECK-NEXT:        %[[EMPTY1:.*]] = llvm.getelementptr %[[EMPTY]][8] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK-NEXT:        nvvm.mbarrier.init %[[EMPTY1]], %[[EIGHT]] : !llvm.ptr<3>, i32
// CHECK-NEXT:        nvvm.fence.mbarrier.init
// CHECK-NEXT:      }
// CHECK-NEXT:      gpu.barrier
//
// Warps 0-7 compute with 240 registers; warps 8-11 produce with 24, and
// warp 8 runs the producer region.
// CHECK-NEXT:      %[[NC:.*]] = arith.constant 8 : index
// CHECK-NEXT:      %[[ISC:.*]] = arith.cmpi ult, %[[WARP2:.*]], %[[NC]] : index
// CHECK-NEXT:      scf.if %[[ISC]] {
// CHECK-NEXT:        nvvm.setmaxregister increase 240
//
// mma_turn_start: the last warpgroup (1) lets warpgroup 0 go first
// (bar.arrive on barrier 1).
// CHECK:             %[[G0:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// CHECK-NEXT:        %[[LASTG:.*]] = arith.constant 1 : index
// CHECK-NEXT:        %[[ISLAST:.*]] = arith.cmpi eq, %[[G0]], %[[LASTG]] : index
// CHECK-NEXT:        scf.if %[[ISLAST]] {
// CHECK-NEXT:          %[[N256:.*]] = arith.constant 256 : i32
// CHECK:               %[[ID1:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:          nvvm.barrier.arrive id = %[[ID1]] number_of_threads = %[[N256]]
// CHECK-NEXT:        }
//
// mbarrier_wait %full[1], 0: the barrier 8 bytes further, parity as i32.
// CHECK:             %[[W8:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK-NEXT:        %[[W8I:.*]] = arith.index_castui %[[W8]] : index to i64
// CHECK-NEXT:        %[[FB:.*]] = llvm.getelementptr %[[FULL]][%[[W8I]]] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8
// CHECK-NEXT:        %[[TICKS:.*]] = arith.constant 1000000 : i32
// CHECK-NEXT:        %[[PAR:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:        nvvm.mbarrier.try_wait.parity %[[FB]], %[[PAR]], %[[TICKS]] : !llvm.ptr<3>, i32, i32
//
// mma_turn_wait: bar.sync on barrier 1 + own warpgroup.
// CHECK:             %[[G1:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// CHECK-NEXT:        %[[N256B:.*]] = arith.constant 256 : i32
// CHECK-NEXT:        %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT:        %[[OWN:.*]] = arith.addi %[[G1]], %[[C1]] : index
// CHECK-NEXT:        %[[OWNI:.*]] = arith.index_castui %[[OWN]] : index to i32
// CHECK-NEXT:        nvvm.barrier id = %[[OWNI]] number_of_threads = %[[N256B]]
//
// mma_turn_pass: bar.arrive on barrier 1 + (warpgroup + 1) mod 2.
// CHECK:             %[[G2:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// CHECK-NEXT:        %[[GROUPS:.*]] = arith.constant 2 : index
// CHECK-NEXT:        %[[C1B:.*]] = arith.constant 1 : index
// CHECK-NEXT:        %[[NEXT0:.*]] = arith.addi %[[G2]], %[[C1B]] : index
// CHECK-NEXT:        %[[NEXT:.*]] = arith.remui %[[NEXT0]], %[[GROUPS]] : index
// CHECK-NEXT:        %[[N256C:.*]] = arith.constant 256 : i32
// CHECK-NEXT:        %[[C1C:.*]] = arith.constant 1 : index
// CHECK-NEXT:        %[[NID:.*]] = arith.addi %[[NEXT]], %[[C1C]] : index
// CHECK-NEXT:        %[[NIDI:.*]] = arith.index_castui %[[NID]] : index to i32
// CHECK-NEXT:        nvvm.barrier.arrive id = %[[NIDI]] number_of_threads = %[[N256C]]
//
// mbarrier_arrive %empty[1]: the warp converges, then its lane 0 arrives.
// CHECK-NEXT:        %[[ALL:.*]] = arith.constant -1 : i32
// CHECK-NEXT:        nvvm.bar.warp.sync %[[ALL]] : i32
// CHECK:             %[[EB:.*]] = llvm.getelementptr %[[EMPTY]][%{{.*}}] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8
// CHECK-NEXT:        %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT:        %[[L0:.*]] = arith.cmpi eq, %[[LANE]], %[[Z]] : index
// CHECK-NEXT:        scf.if %[[L0]] {
// CHECK-NEXT:          nvvm.mbarrier.arrive %[[EB]] : !llvm.ptr<3> -> i64
// CHECK-NEXT:        }
// CHECK-NEXT:      } else {
// CHECK-NEXT:        nvvm.setmaxregister decrease 24
// CHECK-NEXT:        %[[ISSUER:.*]] = arith.cmpi eq, %[[WARP2]], %[[NC]] : index
// CHECK-NEXT:        scf.if %[[ISSUER]] {
// The issuing warp first fetches the map's descriptor, once.
// CHECK-NEXT:          llvm.inline_asm has_side_effects asm_dialect = att "prefetch.tensormap [$0];", "l" %[[MAP]] : (!llvm.ptr) -> ()
// CHECK-NOT:           prefetch.tensormap
//
// Producer: wait for slot 1 to be free, then lane 0 announces 32768 bytes
// (128 x 128 bf16) and copies two 128x64 boxes: columns 0 and 64, the
// second 16384 bytes further; coordinates are (column, row, matrix).
// CHECK:               nvvm.mbarrier.try_wait.parity %{{.*}}, %{{.*}}, %{{.*}} : !llvm.ptr<3>, i32, i32
// CHECK:               %[[FS:.*]] = llvm.getelementptr %[[FULL]][%{{.*}}] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8
// CHECK-NEXT:          %[[SLOTB:.*]] = arith.constant 32768 : index
// CHECK-NEXT:          %[[SLOTOFF:.*]] = arith.muli %{{.*}}, %[[SLOTB]] : index
// CHECK-NEXT:          %[[SLOTOFFI:.*]] = arith.index_castui %[[SLOTOFF]] : index to i64
// CHECK-NEXT:          %[[DST:.*]] = llvm.getelementptr %[[BUF]][%[[SLOTOFFI]]] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8
// CHECK:               scf.if
// CHECK-NEXT:            %[[BYTES:.*]] = arith.constant 32768 : i32
// CHECK-NEXT:            nvvm.mbarrier.arrive.expect_tx %[[FS]], %[[BYTES]] : !llvm.ptr<3>, i32
// CHECK-NEXT:            %[[ROW:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:            %[[MAT:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:            %[[D0:.*]] = llvm.addrspacecast %[[DST]] : !llvm.ptr<3> to !llvm.ptr<7>
// CHECK:                 %[[COL0:.*]] = arith.index_castui %{{.*}} : index to i32
// CHECK-NEXT:            nvvm.cp.async.bulk.tensor.shared.cluster.global %[[D0]], %[[MAP]], %[[FS]], box[%[[COL0]], %[[ROW]], %[[MAT]]] : !llvm.ptr<7>, !llvm.ptr
// CHECK-NEXT:            %[[DST1:.*]] = llvm.getelementptr %[[DST]][16384] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK-NEXT:            %[[D1:.*]] = llvm.addrspacecast %[[DST1]] : !llvm.ptr<3> to !llvm.ptr<7>
// CHECK-NEXT:            %[[C64:.*]] = arith.constant 64 : index
// CHECK-NEXT:            %[[COL1:.*]] = arith.addi %{{.*}}, %[[C64]] : index
// CHECK-NEXT:            %[[COL1I:.*]] = arith.index_castui %[[COL1]] : index to i32
// CHECK-NEXT:            nvvm.cp.async.bulk.tensor.shared.cluster.global %[[D1]], %[[MAP]], %[[FS]], box[%[[COL1I]], %[[ROW]], %[[MAT]]] : !llvm.ptr<7>, !llvm.ptr
// CHECK-NEXT:          }
// CHECK-NEXT:        }
// CHECK-NEXT:      }
// CHECK-NEXT:      gpu.return
// CHECK-NOT:   tile.
func.func private @ws(%x: memref<4x256x128xbf16>, %map: !tile.tensor_map<128x64xbf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<2x128x128xbf16, #sw>
  %full = tile.alloc_mbarrier copy {offset = 131072 : i64} : !tile.mbarrier<2>
  %empty = tile.alloc_mbarrier release {offset = 131088 : i64} : !tile.mbarrier<2>
  tile.barrier
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c3 = arith.constant 3 : index
    %c64 = arith.constant 64 : index
    tile.mbarrier_wait %empty[%c1], %c1 : !tile.mbarrier<2>
    tile.tma_load %map[%c3, %c64, %c0], %buf[%c1], %full : !tile.tensor_map<128x64xbf16, swizzle = 128>, !tile.buffer<2x128x128xbf16, #sw>, !tile.mbarrier<2>
  } compute {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    tile.mma_turn_start
    tile.mbarrier_wait %full[%c1], %c0 : !tile.mbarrier<2>
    tile.mma_turn_wait
    tile.mma_turn_pass
    tile.mbarrier_arrive %empty[%c1] : !tile.mbarrier<2>
  }
  return
}

// -----

// A swizzled slot view is the buffer's pointer plus slot x slot bytes
// (64 x 64 bf16: 8192); the layout stays the swizzle wgmma reads.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 3, smem = 24576, chip = "sm_90a", mma = wgmma>
// CHECK-LABEL: gpu.func @slot_view
// CHECK-SAME:    (%[[SLOT:.*]]: index)
// CHECK-NOT:     tile.tensor_map_params
// CHECK-NOT:     nvvm.minctasm
// CHECK:         %[[BASE:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
// CHECK:         %[[BUF:.*]] = llvm.getelementptr %[[BASE]][1024] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK:         %[[SB:.*]] = arith.constant 8192 : index
// CHECK-NEXT:    %[[OFF:.*]] = arith.muli %[[SLOT]], %[[SB]] : index
// CHECK-NEXT:    %[[OFFI:.*]] = arith.index_castui %[[OFF]] : index to i64
// CHECK-NEXT:    %[[VIEW:.*]] = llvm.getelementptr %[[BUF]][%[[OFFI]]] : (!llvm.ptr<3>, i64) -> !llvm.ptr<3>, i8
// CHECK:         llvm.ptrtoint %[[VIEW]] : !llvm.ptr<3> to i64
// CHECK:         nvvm.wgmma.mma_async
func.func private @slot_view(%slot: index) attributes {tile.config = #cfg} {
  %buf = tile.alloc_shared {offset = 1024 : i64} : !tile.buffer<3x64x64xbf16, #sw>
  %t = tile.local_load %buf[%slot] : !tile.buffer<3x64x64xbf16, #sw> -> tensor<64x64xbf16, #sw>
  %s = tile.dot %t, %t transpose_rhs : tensor<64x64xbf16, #sw>, tensor<64x64xbf16, #sw> -> tensor<64x64xf32, #mma>
  return
}
