// RUN: attn-opt %s -attn-convert-tile-to-gpu | FileCheck %s

// A staged vector on the GPU. The bulk copy: one thread expects the slot's
// 512 bytes on the slot's barrier and copies them from the vector's global
// address (packed: element ((b·2 + h)·256 + j)) with cp.async.bulk, no
// tensor map. The read: each thread loads its two adjacent columns of
// each 8-column slice (2t, 2t + 1 for lane t mod 4) as one 8-byte vector
// from row 0 of the slot, 16 pairs for 128 columns.

#mma = #tile.mma<wgmma, warps = 8>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 128, block_n = 128, stages = 2, smem = 2112, chip = "sm_90a", mma = wgmma>
func.func private @staged(%lse: memref<1x2x256xf32>, %out: memref<128x128xf32>, %b: index, %h: index, %j: index, %slot: index)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared {offset = 1024 : i64} : !tile.buffer<2x1x128xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy {offset = 2048 : i64} : !tile.mbarrier<2>
  tile.bulk_load %lse[%b, %h, %j], %buf[%slot], %full : memref<1x2x256xf32>, !tile.buffer<2x1x128xf32, #tile.shared<>>, !tile.mbarrier<2>
  tile.mbarrier_wait %full[%slot], %c0 : !tile.mbarrier<2>
  %v = tile.local_load %buf[%slot] : !tile.buffer<2x1x128xf32, #tile.shared<>> -> tensor<128xf32, #tile.slice<dim = 0, #mma>>
  %t = tile.broadcast %v dim 0 : tensor<128xf32, #tile.slice<dim = 0, #mma>> -> tensor<128x128xf32, #mma>
  tile.store %t, %out[%c0, %c0] : tensor<128x128xf32, #mma>, memref<128x128xf32>
  return
}

// CHECK-LABEL: gpu.func @staged
// CHECK-SAME:    (%[[LSE:.*]]: memref<1x2x256xf32>, %{{.*}}: memref<128x128xf32>, %[[B:.*]]: index, %[[H:.*]]: index, %[[J:.*]]: index, %[[SLOT:.*]]: index)
// The slot: the buffer's offset (1024) plus 512 bytes a slot.
// CHECK:         %[[BUF:.*]] = llvm.getelementptr %{{.*}}[1024] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK:         %[[SB:.*]] = arith.muli %[[SLOT]], %c512{{(_[0-9]+)?}} : index
// CHECK-NEXT:    %[[SB64:.*]] = arith.index_castui %[[SB]] : index to i64
// CHECK-NEXT:    %[[DST:.*]] = llvm.getelementptr %[[BUF]][%[[SB64]]]
// The source: 4 bytes an element from the aligned pointer.
// CHECK-NEXT:    %[[SRC:.*]] = memref.extract_aligned_pointer_as_index %[[LSE]]
// CHECK:         arith.muli %[[B]], %c512{{(_[0-9]+)?}} : index
// CHECK:         arith.muli %[[H]], %c256{{(_[0-9]+)?}} : index
// CHECK:         %[[JE:.*]] = arith.muli %[[J]], %c1{{(_[0-9]+)?}} : index
// CHECK-NEXT:    %[[E:.*]] = arith.addi %{{.*}}, %[[JE]] : index
// CHECK:         %[[EB:.*]] = arith.muli %[[E]], %c4{{(_[0-9]+)?}} : index
// CHECK-NEXT:    %[[A:.*]] = arith.addi %[[SRC]], %[[EB]] : index
// CHECK:         %[[G:.*]] = llvm.addrspacecast %{{.*}} : !llvm.ptr to !llvm.ptr<1>
// CHECK:         scf.if
// CHECK:           nvvm.mbarrier.arrive.expect_tx %{{.*}}, %c512_i32
// CHECK:           %[[S:.*]] = llvm.addrspacecast %[[DST]] : !llvm.ptr<3> to !llvm.ptr<7>
// CHECK:           nvvm.cp.async.bulk.shared.cluster.global %[[S]], %[[G]], %{{.*}}, %c512_i32{{(_[0-9]+)?}} : !llvm.ptr<7>, <1>
// CHECK:         nvvm.mbarrier.try_wait.parity
// CHECK-COUNT-16: vector.load %{{.*}}[%{{.*}}, %c0{{(_[0-9]+)?}}, %{{.*}}] {alignment = 8 : i64} : memref<2x1x128xf32, strided<[128, 128, 1]>, #gpu.address_space<workgroup>>, vector<2xf32>
// CHECK-NOT:     vector.load
// CHECK:         gpu.return
