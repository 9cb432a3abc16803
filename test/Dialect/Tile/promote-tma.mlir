// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/attention.mlir -attn-select-tiling="chip=sm_90a block-m=128 num-warps=8" -attn-tile -attn-fuse-online-softmax -attn-promote-tma | FileCheck %t/attention.mlir
// RUN: attn-opt %t/d128.mlir -attn-select-tiling="chip=sm_90a num-stages=3" -attn-tile -attn-fuse-online-softmax -attn-promote-tma | FileCheck %t/d128.mlir
// RUN: attn-opt %t/tile.mlir -split-input-file -attn-promote-tma | FileCheck %t/tile.mlir

// attn-promote-tma (rung 3 -> 4 for #tile.config<mma = wgmma> kernels):
// each tile.load feeding a tile.dot becomes a TMA copy (tile.tma_load) into
// a 128-byte-swizzled buffer, completing on a `copy` barrier, then a
// tile.local_load of the slot. Inside a loop the `stages` slots rotate:
//   i = (j - lb) / step, slot = i % stages, parity = (i / stages) % 2,
//   wait release[slot] with parity ^ 1, copy, wait copy[slot] with parity,
//   ... last use of the slot ..., arrive on release[slot].
// The kernel takes one !tile.tensor_map per (memref, box) after its
// buffers; every launch names it and says which buffer it is encoded from.

//--- attention.mlir

// f16, D = 64, the sm_90a defaults: 128x128 tiles, two stages. Q is copied
// once (one slot, one copy barrier); K and V get two slots, a copy and a
// release ring each. Boxes are 128 rows x 64 halves (128 bytes).

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    (%[[Q:[^:]*]]: memref<1x2x256x64xf16>, %[[K:[^:]*]]: memref<1x2x256x64xf16>, %[[V:[^:]*]]: memref<1x2x256x64xf16>, %[[O:[^:]*]]: memref<1x2x256x64xf16>,
// CHECK-SAME:     %[[QMAP:[^:]*]]: !tile.tensor_map<128x64xf16, swizzle = 128>, %[[KMAP:[^:]*]]: !tile.tensor_map<128x64xf16, swizzle = 128>, %[[VMAP:[^:]*]]: !tile.tensor_map<128x64xf16, swizzle = 128>)
// CHECK-SAME:    mma = wgmma, producer_warps = 4
//
// The allocations come first, in creation order, then one program-wide
// barrier publishes the barriers' initialization.
// CHECK-NEXT:    %[[QBUF:.*]] = tile.alloc_shared : <1x128x64xf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    %[[QFULL:.*]] = tile.alloc_mbarrier copy : <1>
// CHECK-NEXT:    %[[KBUF:.*]] = tile.alloc_shared : <2x128x64xf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    %[[KFULL:.*]] = tile.alloc_mbarrier copy : <2>
// CHECK-NEXT:    %[[KEMPTY:.*]] = tile.alloc_mbarrier release : <2>
// CHECK-NEXT:    %[[VBUF:.*]] = tile.alloc_shared : <2x128x64xf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    %[[VFULL:.*]] = tile.alloc_mbarrier copy : <2>
// CHECK-NEXT:    %[[VEMPTY:.*]] = tile.alloc_mbarrier release : <2>
// CHECK-NEXT:    tile.barrier
// CHECK-NOT:     tile.barrier
//
// Q: the matrix index is batch·heads + head (2 heads), then its row.
// CHECK-DAG:     %[[B:.*]] = tile.program_id 2
// CHECK-DAG:     %[[H:.*]] = tile.program_id 1
// CHECK:         %[[ROW:.*]] = arith.muli %{{.*}}, %{{.*}} : index
// CHECK-NEXT:    %[[COL:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[M0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[BATCHES:.*]] = arith.constant 1 : index
// CHECK-NEXT:    %[[M1:.*]] = arith.muli %[[M0]], %[[BATCHES]] : index
// CHECK-NEXT:    %[[BH0:.*]] = arith.addi %[[M1]], %[[B]] : index
// CHECK-NEXT:    %[[HEADS:.*]] = arith.constant 2 : index
// CHECK-NEXT:    %[[BH1:.*]] = arith.muli %[[BH0]], %[[HEADS]] : index
// CHECK-NEXT:    %[[BH:.*]] = arith.addi %[[BH1]], %[[H]] : index
// CHECK-NEXT:    tile.tma_load %[[QMAP]][%[[BH]], %[[ROW]], %[[COL]]], %[[QBUF]][%[[Z]]], %[[QFULL]] : <128x64xf16, swizzle = 128>, <1x128x64xf16, #tile.shared<swizzle = 128>>, <1>
// CHECK-NEXT:    tile.mbarrier_wait %[[QFULL]][%[[Z]]], %[[Z]] : <1>
// CHECK-NEXT:    %[[QT:.*]] = tile.local_load %[[QBUF]][%[[Z]]] : <1x128x64xf16, #tile.shared<swizzle = 128>> -> tensor<128x64xf16, #tile.shared<swizzle = 128>>
//
// The loop: slot and parities from the iteration number.
// CHECK:         scf.for %[[J:[^ ]*]] = %[[LB:[^ ]*]] to %{{[^ ]*}} step %[[STEP:[^ ]*]] iter_args
// CHECK-NEXT:      %[[D:.*]] = arith.subi %[[J]], %[[LB]] : index
// CHECK-NEXT:      %[[I:.*]] = arith.divui %[[D]], %[[STEP]] : index
// CHECK-NEXT:      %[[STAGES:.*]] = arith.constant 2 : index
// CHECK-NEXT:      %[[SLOT:.*]] = arith.remui %[[I]], %[[STAGES]] : index
// CHECK-NEXT:      %[[TWO2:.*]] = arith.constant 2 : index
// CHECK-NEXT:      %[[STAGES2:.*]] = arith.constant 2 : index
// CHECK-NEXT:      %[[ROUND:.*]] = arith.divui %[[I]], %[[STAGES2]] : index
// CHECK-NEXT:      %[[PAR:.*]] = arith.remui %[[ROUND]], %[[TWO2]] : index
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[FREE:.*]] = arith.xori %[[PAR]], %[[ONE]] : index
//
// K: wait for a free slot, copy into it, wait for the bytes, view it, and
// release it right after Q·Kᵀ, its only use.
// CHECK:           tile.mbarrier_wait %[[KEMPTY]][%[[SLOT]]], %[[FREE]] : <2>
// CHECK:           tile.tma_load %[[KMAP]][%{{.*}}, %[[J]], %{{.*}}], %[[KBUF]][%[[SLOT]]], %[[KFULL]] : <128x64xf16, swizzle = 128>, <2x128x64xf16, #tile.shared<swizzle = 128>>, <2>
// CHECK-NEXT:      tile.mbarrier_wait %[[KFULL]][%[[SLOT]]], %[[PAR]] : <2>
// CHECK-NEXT:      %[[KT:.*]] = tile.local_load %[[KBUF]][%[[SLOT]]] : <2x128x64xf16, #tile.shared<swizzle = 128>> -> tensor<128x64xf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:      tile.dot %[[QT]], %[[KT]] transpose_rhs : tensor<128x64xf16, #tile.shared<swizzle = 128>>, tensor<128x64xf16, #tile.shared<swizzle = 128>> -> tensor<128x128xf32>
// CHECK-NEXT:      tile.mbarrier_arrive %[[KEMPTY]][%[[SLOT]]] : <2>
//
// V: the same with its own rings; released after P·V.
// CHECK:           tile.mbarrier_wait %[[VEMPTY]][%[[SLOT]]], %[[FREE]] : <2>
// CHECK:           tile.tma_load %[[VMAP]][%{{.*}}, %[[J]], %{{.*}}], %[[VBUF]][%[[SLOT]]], %[[VFULL]]
// CHECK-NEXT:      tile.mbarrier_wait %[[VFULL]][%[[SLOT]]], %[[PAR]] : <2>
// CHECK-NEXT:      %[[VT:.*]] = tile.local_load %[[VBUF]][%[[SLOT]]]
// CHECK:           %[[PV:.*]] = tile.dot %{{.*}}, %[[VT]], %{{.*}} : tensor<128x128xf16>, tensor<128x64xf16, #tile.shared<swizzle = 128>>, tensor<128x64xf32> -> tensor<128x64xf32>
// CHECK-NEXT:      tile.mbarrier_arrive %[[VEMPTY]][%[[SLOT]]] : <2>
// CHECK-NEXT:      scf.yield %{{.*}}, %{{.*}}, %[[PV]]
// CHECK-NOT:     tile.load
// CHECK-NOT:     tile.async_copy
// CHECK:         tile.store
//
// The launch names the maps after their buffers and says which buffer
// each is encoded from.
// CHECK-LABEL: func.func @attention
// CHECK:         tile.launch @attn_fwd(%{{.*}}, %{{.*}}, %{{.*}}) names ["q", "k", "v", "o", "q_map", "k_map", "v_map"]
// CHECK-SAME:      tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<128x64xf16, swizzle = 128>>, #tile.tensor_map_arg<source = 1, !tile.tensor_map<128x64xf16, swizzle = 128>>, #tile.tensor_map_arg<source = 2, !tile.tensor_map<128x64xf16, swizzle = 128>>]

func.func @attention(%q: tensor<1x2x256x64xf16>, %k: tensor<1x2x256x64xf16>,
                     %v: tensor<1x2x256x64xf16>) -> tensor<1x2x256x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>
      -> tensor<1x2x256x64xf16>
  return %o : tensor<1x2x256x64xf16>
}

//--- d128.mlir

// bf16, D = 128, three stages: a 128-column tile is two 64-column boxes
// side by side (the map's box stays 128x64), K and V get three slots, and
// the slot and round rotate by 3. The matrix index is batch·3 + head.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    !tile.tensor_map<128x64xbf16, swizzle = 128>, %{{[^:]*}}: !tile.tensor_map<128x64xbf16, swizzle = 128>, %{{[^:]*}}: !tile.tensor_map<128x64xbf16, swizzle = 128>)
// CHECK-NEXT:    tile.alloc_shared : <1x128x128xbf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    tile.alloc_mbarrier copy : <1>
// CHECK-NEXT:    tile.alloc_shared : <3x128x128xbf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    tile.alloc_mbarrier copy : <3>
// CHECK-NEXT:    tile.alloc_mbarrier release : <3>
// CHECK-NEXT:    tile.alloc_shared : <3x128x128xbf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    tile.alloc_mbarrier copy : <3>
// CHECK-NEXT:    tile.alloc_mbarrier release : <3>
// CHECK-NEXT:    tile.barrier
// CHECK:         %[[HEADS:.*]] = arith.constant 3 : index
// CHECK-NEXT:    arith.muli %{{.*}}, %[[HEADS]] : index
// CHECK:         tile.tma_load
// CHECK:         scf.for
// CHECK:           %[[I:.*]] = arith.divui
// CHECK-NEXT:      %[[S3:.*]] = arith.constant 3 : index
// CHECK-NEXT:      %[[SLOT:.*]] = arith.remui %[[I]], %[[S3]] : index
// CHECK:           %[[R3:.*]] = arith.constant 3 : index
// CHECK-NEXT:      arith.divui %[[I]], %[[R3]] : index
// CHECK:           tile.tma_load {{.*}}[%[[SLOT]]], {{.*}} : <128x64xbf16, swizzle = 128>, <3x128x128xbf16, #tile.shared<swizzle = 128>>, <3>
// CHECK:           tile.local_load {{.*}} -> tensor<128x128xbf16, #tile.shared<swizzle = 128>>
// CHECK:           tile.tma_load {{.*}}[%[[SLOT]]], {{.*}} : <128x64xbf16, swizzle = 128>, <3x128x128xbf16, #tile.shared<swizzle = 128>>, <3>
// CHECK-LABEL: func.func @attention
// CHECK:         tile.launch @attn_fwd
// CHECK-SAME:      names ["q", "k", "v", "o", "q_map", "k_map", "v_map"]
// CHECK-SAME:      stages = 3
// CHECK-SAME:      tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<128x64xbf16, swizzle = 128>>,

func.func @attention(%q: tensor<2x3x200x128xbf16>, %k: tensor<2x3x200x128xbf16>,
                     %v: tensor<2x3x200x128xbf16>) -> tensor<2x3x200x128xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<2x3x200x128xbf16>, tensor<2x3x200x128xbf16>, tensor<2x3x200x128xbf16>
      -> tensor<2x3x200x128xbf16>
  return %o : tensor<2x3x200x128xbf16>
}

//--- tile.mlir

// Two loads of one memref with one box share a map parameter; each still
// gets a buffer and a copy barrier of its own. A load that feeds no product
// stays a tile.load. Map names avoid the names the launch already uses
// ("q_map" is taken by a buffer: q's map becomes "q_map2", and the map of
// the buffer named "q_map" is "q_map_map").

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @shared_map
// CHECK-SAME:    (%[[Q:[^:]*]]: memref<2x3x128x64xf16>, %[[K:[^:]*]]: memref<2x3x128x64xf16>, %[[O:[^:]*]]: memref<2x3x128x64xf16>, %[[QMAP:[^:]*]]: !tile.tensor_map<64x64xf16, swizzle = 128>, %[[KMAP:[^:]*]]: !tile.tensor_map<64x64xf16, swizzle = 128>)
// CHECK-SAME:    attributes
// CHECK-NEXT:    %[[B0:.*]] = tile.alloc_shared : <1x64x64xf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    %[[F0:.*]] = tile.alloc_mbarrier copy : <1>
// CHECK-NEXT:    %[[B1:.*]] = tile.alloc_shared : <1x64x64xf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    %[[F1:.*]] = tile.alloc_mbarrier copy : <1>
// CHECK-NEXT:    %[[KB:.*]] = tile.alloc_shared : <2x64x64xf16, #tile.shared<swizzle = 128>>
// CHECK-NEXT:    tile.alloc_mbarrier copy : <2>
// CHECK-NEXT:    tile.alloc_mbarrier release : <2>
// CHECK-NEXT:    tile.barrier
// CHECK:         tile.tma_load %[[QMAP]][%{{.*}}, %[[C0:[^,]*]], %{{.*}}], %[[B0]][%{{.*}}], %[[F0]]
// CHECK:         tile.tma_load %[[QMAP]][%{{.*}}, %[[C64:[^,]*]], %{{.*}}], %[[B1]][%{{.*}}], %[[F1]]
// CHECK:         tile.load %[[O]][
// CHECK:         scf.for
// CHECK:           tile.tma_load %[[KMAP]][{{.*}}], %[[KB]][
// CHECK-LABEL: func.func @host
// CHECK:         tile.launch @shared_map(%{{.*}}, %{{.*}}) names ["q", "q_map", "o", "q_map2", "q_map_map"]
// CHECK-SAME:      tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<64x64xf16, swizzle = 128>>, #tile.tensor_map_arg<source = 1, !tile.tensor_map<64x64xf16, swizzle = 128>>]
func.func private @shared_map(%q: memref<2x3x128x64xf16>, %k: memref<2x3x128x64xf16>, %o: memref<2x3x128x64xf16>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c128 = arith.constant 128 : index
  %b = tile.program_id 2
  %h = tile.program_id 1
  %qt = tile.load %q[%b, %h, %c0, %c0] : memref<2x3x128x64xf16> -> tensor<64x64xf16>
  %q2 = tile.load %q[%b, %h, %c64, %c0] : memref<2x3x128x64xf16> -> tensor<64x64xf16>
  %s0 = tile.dot %qt, %q2 transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  %ot = tile.load %o[%b, %h, %c0, %c0] : memref<2x3x128x64xf16> -> tensor<64x64xf16>
  %r = scf.for %j = %c0 to %c128 step %c64 iter_args(%acc = %s0) -> tensor<64x64xf32> {
    %kt = tile.load %k[%b, %h, %j, %c0] : memref<2x3x128x64xf16> -> tensor<64x64xf16>
    %s = tile.dot %qt, %kt, %acc transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16>, tensor<64x64xf32> -> tensor<64x64xf32>
    scf.yield %s : tensor<64x64xf32>
  }
  return
}
func.func @host(%q: tensor<2x3x128x64xf16>, %k: tensor<2x3x128x64xf16>) -> tensor<2x3x128x64xf16> {
  %o = tile.launch @shared_map(%q, %k) names ["q", "q_map", "o"] {config = #cfg}
      : (tensor<2x3x128x64xf16>, tensor<2x3x128x64xf16>) -> tensor<2x3x128x64xf16>
  return %o : tensor<2x3x128x64xf16>
}

// -----

// Kernels for mma.sync are attn-promote-shared's: left as they are, and
// their launches get no tensor maps.

#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a">
// CHECK-LABEL: func.func private @sync_kernel
// CHECK-SAME:    (%{{[^:]*}}: memref<64x64xf16>, %{{[^:]*}}: memref<64x64xf16>) attributes
// CHECK-NOT:     tile.alloc_shared
// CHECK-NOT:     tile.tma_load
// CHECK:         tile.load
// CHECK:         tile.load
// CHECK:         tile.dot
// CHECK-LABEL: func.func @sync_host
// CHECK:         tile.launch @sync_kernel(%{{.*}}) names ["x", "y"] {config = {{.*}}} :
// CHECK-NOT:     tensor_maps
func.func private @sync_kernel(%x: memref<64x64xf16>, %y: memref<64x64xf16>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %a = tile.load %x[%c0, %c0] : memref<64x64xf16> -> tensor<64x64xf16>
  %b = tile.load %y[%c0, %c0] : memref<64x64xf16> -> tensor<64x64xf16>
  %s = tile.dot %a, %b transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  return
}
func.func @sync_host(%x: tensor<64x64xf16>) -> tensor<64x64xf16> {
  %y = tile.launch @sync_kernel(%x) names ["x", "y"] {config = #cfg}
      : (tensor<64x64xf16>) -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

// Two-dimensional sources: the matrix index is 0.

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @rank2
// CHECK-SAME:    %[[XMAP:[^:]*]]: !tile.tensor_map<64x64xbf16, swizzle = 128>)
// CHECK:         %[[R:.*]] = arith.constant 16 : index
// CHECK:         %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[M:.*]] = arith.constant 0 : index
// CHECK-NEXT:    tile.tma_load %[[XMAP]][%[[M]], %[[R]], %{{.*}}], %{{.*}}[%[[Z]]], %{{.*}} : <64x64xbf16, swizzle = 128>, <1x64x64xbf16, #tile.shared<swizzle = 128>>, <1>
func.func private @rank2(%x: memref<100x64xbf16>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %a = tile.load %x[%c16, %c0] : memref<100x64xbf16> -> tensor<64x64xbf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xbf16>, tensor<64x64xbf16> -> tensor<64x64xf32>
  return
}

// -----

// A unit-stride view of an argument (a packed sequence's rows, at an offset
// read at run time): the copy reads the argument's map at the load's row
// plus the view's offset. The map is the argument's: TMA bounds it by the
// argument's rows, not the view's.

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @view
// CHECK-SAME:    (%[[X:[^:]*]]: memref<1x2x300x64xbf16>, %[[FIRST:[^:]*]]: index, %[[ROWS:[^:]*]]: index, %[[XMAP:[^:]*]]: !tile.tensor_map<64x64xbf16, swizzle = 128>)
// CHECK:         %[[H:.*]] = arith.constant 1 : index
// CHECK:         %[[R:.*]] = arith.constant 16 : index
// CHECK:         %[[VIEW:.*]] = memref.subview %[[X]][0, 0, %[[FIRST]], 0] [1, 2, %[[ROWS]], 64] [1, 1, 1, 1]
// CHECK:         %[[ROW:.*]] = arith.addi %[[R]], %[[FIRST]] : index
// CHECK:         %[[BH:.*]] = arith.addi %{{.*}}, %[[H]] : index
// CHECK-NEXT:    tile.tma_load %[[XMAP]][%[[BH]], %[[ROW]], %{{.*}}], %{{.*}} : <64x64xbf16, swizzle = 128>
// CHECK-NOT:     tile.load
func.func private @view(%x: memref<1x2x300x64xbf16>, %first: index, %rows: index) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %view = memref.subview %x[0, 0, %first, 0] [1, 2, %rows, 64] [1, 1, 1, 1]
      : memref<1x2x300x64xbf16> to memref<1x2x?x64xbf16, strided<[38400, 19200, 64, 1], offset: ?>>
  %a = tile.load %view[%c0, %c1, %c16, %c0] : memref<1x2x?x64xbf16, strided<[38400, 19200, 64, 1], offset: ?>> -> tensor<64x64xbf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xbf16>, tensor<64x64xbf16> -> tensor<64x64xf32>
  return
}
