// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/fused.mlir -attn-tile -attn-fuse-online-softmax -attn-promote-shared | FileCheck %t/fused.mlir
// RUN: attn-opt %t/fused.mlir -attn-select-tiling=num-stages=3 -attn-tile -attn-fuse-online-softmax -attn-promote-shared | FileCheck %t/fused.mlir --check-prefix=STAGES3
// RUN: attn-opt %t/fused.mlir -attn-select-tiling=num-stages=1 -attn-tile -attn-fuse-online-softmax -attn-promote-shared | FileCheck %t/fused.mlir --check-prefix=STAGES1
// RUN: attn-opt %t/unfused.mlir -attn-tile-unfused -attn-promote-shared | FileCheck %t/unfused.mlir
// RUN: attn-opt %t/not-a-kernel.mlir -attn-promote-shared | FileCheck %t/not-a-kernel.mlir

// Every tile.load that feeds a tile.dot becomes an async copy into a
// workgroup buffer with rows padded by 16 bytes, and a tile.local_load.
// Loads outside loops are copied once; loads in a loop are pipelined
// num-stages deep (default 2).

//--- fused.mlir

// f16, D = 64: Q is 128x64 in one slot, K and V are 64x64 in two slots;
// the row pitch is 64 + 8 = 72 elements.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK-SAME:    (%[[Q:[^:]*]]: memref<1x2x64x64xf16>, %[[K:[^:]*]]: memref<1x2x64x64xf16>, %[[V:[^:]*]]: memref<1x2x64x64xf16>,
// CHECK-DAG:     %[[VBUF:.*]] = tile.alloc_shared : <2x64x64xf16, #tile.shared<pad = 8>>
// CHECK-DAG:     %[[KBUF:.*]] = tile.alloc_shared : <2x64x64xf16, #tile.shared<pad = 8>>
// CHECK-DAG:     %[[QBUF:.*]] = tile.alloc_shared : <1x128x64xf16, #tile.shared<pad = 8>>
// CHECK-NOT:     tile.load
//
// Q: copied once, waited for, then viewed.
// CHECK:         tile.async_copy %[[Q]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}], %[[QBUF]][%[[Z:.*]]] :
// CHECK-NEXT:    tile.async_commit
// CHECK-NEXT:    tile.async_wait 0
// CHECK-NEXT:    tile.barrier
// CHECK-NEXT:    %[[QT:.*]] = tile.local_load %[[QBUF]][%[[Z]]] : <1x128x64xf16, #tile.shared<pad = 8>> -> tensor<128x64xf16, #tile.shared<pad = 8>>
//
// Prologue: the first K/V tile goes to slot 0 if the loop runs at all.
// CHECK:         %[[IV0:.*]] = arith.addi %[[LB:.*]], %{{.*}} : index
// CHECK:         %[[SLOT0:.*]] = arith.constant 0 : index
// CHECK:         %[[IN0:.*]] = arith.cmpi slt, %[[IV0]], %[[UB:.*]] : index
// CHECK:         scf.if %[[IN0]] {
// CHECK:           tile.async_copy %[[K]][%{{.*}}, %{{.*}}, %[[IV0]], %{{.*}}], %[[KBUF]][%[[SLOT0]]]
// CHECK:           tile.async_copy %[[V]][%{{.*}}, %{{.*}}, %[[IV0]], %{{.*}}], %[[VBUF]][%[[SLOT0]]]
// CHECK:         }
// CHECK-NEXT:    tile.async_commit
//
// Each iteration: wait for its tile, barrier, start the next tile into the
// other slot, then read its own slot.
// CHECK:         scf.for %[[J:[^ ]*]] = %[[LB]] to %[[UB]] step %[[STEP:[^ ]*]] iter_args
// CHECK:           %[[ITER:.*]] = arith.divui %{{.*}}, %[[STEP]] : index
// CHECK:           %[[TWO:.*]] = arith.constant 2 : index
// CHECK:           %[[SLOT:.*]] = arith.remui %[[ITER]], %[[TWO]] : index
// CHECK-NEXT:      tile.async_wait 0
// CHECK-NEXT:      tile.barrier
// CHECK:           %[[NEXT:.*]] = arith.addi %[[J]], %{{.*}} : index
// CHECK:           %[[NEXTSLOT:.*]] = arith.remui %{{.*}}, %{{.*}} : index
// CHECK:           %[[IN:.*]] = arith.cmpi slt, %[[NEXT]], %[[UB]] : index
// CHECK:           scf.if %[[IN]] {
// CHECK:             tile.async_copy %[[K]][%{{.*}}, %{{.*}}, %[[NEXT]], %{{.*}}], %[[KBUF]][%[[NEXTSLOT]]]
// CHECK:             tile.async_copy %[[V]][%{{.*}}, %{{.*}}, %[[NEXT]], %{{.*}}], %[[VBUF]][%[[NEXTSLOT]]]
// CHECK:           }
// CHECK-NEXT:      tile.async_commit
// CHECK:           %[[KT:.*]] = tile.local_load %[[KBUF]][%[[SLOT]]] : {{.*}} -> tensor<64x64xf16, #tile.shared<pad = 8>>
// CHECK:           tile.dot %[[QT]], %[[KT]] transpose_rhs
// CHECK:           %[[VT:.*]] = tile.local_load %[[VBUF]][%[[SLOT]]] : {{.*}} -> tensor<64x64xf16, #tile.shared<pad = 8>>
// CHECK:           tile.dot %{{.*}}, %[[VT]], %{{.*}}
// CHECK-NOT:       tile.barrier
// CHECK:           scf.yield
//
// The output store stays a plain tile.store.
// CHECK:         tile.store

// Three stages: three slots, two tiles in flight before the loop, and each
// iteration waits until at most one group is pending.
// STAGES3-LABEL: func.func private @attn_fwd
// STAGES3-DAG:     tile.alloc_shared : <3x64x64xf16, #tile.shared<pad = 8>>
// STAGES3-DAG:     tile.alloc_shared : <1x128x64xf16, #tile.shared<pad = 8>>
// STAGES3:         tile.async_wait 0
// STAGES3:         arith.addi
// STAGES3-NEXT:    %[[S0:.*]] = arith.constant 0 : index
// STAGES3-NEXT:    arith.cmpi slt
// STAGES3-NEXT:    scf.if
// STAGES3:           tile.async_copy {{.*}}[%[[S0]]] :
// STAGES3:           tile.async_copy {{.*}}[%[[S0]]] :
// STAGES3:         tile.async_commit
// STAGES3:         arith.addi
// STAGES3-NEXT:    %[[S1:.*]] = arith.constant 1 : index
// STAGES3-NEXT:    arith.cmpi slt
// STAGES3-NEXT:    scf.if
// STAGES3:           tile.async_copy {{.*}}[%[[S1]]] :
// STAGES3:           tile.async_copy {{.*}}[%[[S1]]] :
// STAGES3:         tile.async_commit
// STAGES3-NEXT:    scf.for
// STAGES3:           %[[THREE:.*]] = arith.constant 3 : index
// STAGES3:           arith.remui %{{.*}}, %[[THREE]]
// STAGES3-NEXT:      tile.async_wait 1
// STAGES3-NEXT:      tile.barrier
// STAGES3:           scf.if
// STAGES3:           tile.async_commit
// STAGES3:           scf.yield

// One stage: no prologue; each iteration copies its own tile, waits for it,
// and ends with a barrier so that no warp overwrites the slot too early.
// STAGES1-LABEL: func.func private @attn_fwd
// STAGES1-DAG:     tile.alloc_shared : <1x64x64xf16, #tile.shared<pad = 8>>
// STAGES1:         tile.async_wait 0
// STAGES1-NEXT:    tile.barrier
// STAGES1-NEXT:    tile.local_load
// STAGES1-NOT:     tile.async_copy
// STAGES1:         scf.for %[[J:[^ ]*]] =
// STAGES1:           scf.if
// STAGES1:             tile.async_copy %{{.*}}[%{{.*}}, %{{.*}}, %[[J]], %{{.*}}]
// STAGES1:           tile.async_commit
// STAGES1-NEXT:      tile.async_wait 0
// STAGES1-NEXT:      tile.barrier
// STAGES1:           tile.local_load
// STAGES1:           tile.dot
// STAGES1:           tile.dot
// STAGES1-NEXT:      tile.barrier
// STAGES1-NEXT:      scf.yield

func.func @attention(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                     %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

//--- unfused.mlir

// bf16, D = 32: pitch 32 + 8 = 40. The scores kernel copies Q and K once;
// the softmax kernel has no dot and keeps its loads; the P·V kernel
// pipelines both of its dot operands (P pitch 64 + 8 = 72).

// CHECK-LABEL: func.func private @attn_scores
// CHECK-DAG:     %[[KBUF:.*]] = tile.alloc_shared : <1x64x32xbf16, #tile.shared<pad = 8>>
// CHECK-DAG:     %[[QBUF:.*]] = tile.alloc_shared : <1x128x32xbf16, #tile.shared<pad = 8>>
// CHECK:         tile.async_copy %{{.*}}, %[[QBUF]]
// CHECK:         tile.async_wait 0
// CHECK:         %[[QT:.*]] = tile.local_load %[[QBUF]]
// CHECK:         tile.async_copy %{{.*}}, %[[KBUF]]
// CHECK:         tile.async_wait 0
// CHECK:         %[[KT:.*]] = tile.local_load %[[KBUF]]
// CHECK:         tile.dot %[[QT]], %[[KT]] transpose_rhs
// CHECK-LABEL: func.func private @attn_softmax
// CHECK-NOT:     tile.alloc_shared
// CHECK-NOT:     tile.async_copy
// CHECK:         tile.load
// CHECK-NOT:     tile.async_copy
// CHECK-LABEL: func.func private @attn_pv
// CHECK-DAG:     %[[VBUF:.*]] = tile.alloc_shared : <2x64x32xbf16, #tile.shared<pad = 8>>
// CHECK-DAG:     %[[PBUF:.*]] = tile.alloc_shared : <2x128x64xbf16, #tile.shared<pad = 8>>
// CHECK:         scf.if
// CHECK:           tile.async_copy %{{.*}}, %[[PBUF]]
// CHECK:           tile.async_copy %{{.*}}, %[[VBUF]]
// CHECK:         scf.for
// CHECK:           tile.async_wait 0
// CHECK:           %[[PT:.*]] = tile.local_load %[[PBUF]][%[[SLOT:.*]]] :
// CHECK:           %[[VT:.*]] = tile.local_load %[[VBUF]][%[[SLOT]]] :
// CHECK:           tile.dot %[[PT]], %[[VT]], %{{.*}}
// CHECK-NOT:     tile.load

func.func @attention(%q: tensor<1x2x128x32xbf16>, %k: tensor<1x2x128x32xbf16>,
                     %v: tensor<1x2x128x32xbf16>) -> tensor<1x2x128x32xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x128x32xbf16>, tensor<1x2x128x32xbf16>, tensor<1x2x128x32xbf16>
      -> tensor<1x2x128x32xbf16>
  return %o : tensor<1x2x128x32xbf16>
}

//--- not-a-kernel.mlir

// Only tile kernels (functions with a tile.config) are promoted; f32 rows
// are padded by 4 elements, and the slot views keep that layout.

// CHECK-LABEL: func.func @no_grid
// CHECK-NOT:     tile.alloc_shared
// CHECK:         tile.load
// CHECK:         tile.load
func.func @no_grid(%a: memref<64x64xf32>, %i: index) -> tensor<64x64xf32> {
  %x = tile.load %a[%i, %i] : memref<64x64xf32> -> tensor<64x64xf32>
  %y = tile.load %a[%i, %i] : memref<64x64xf32> -> tensor<64x64xf32>
  %r = tile.dot %x, %y : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// CHECK-LABEL: func.func @kernel
// CHECK-DAG:     %[[B1:.*]] = tile.alloc_shared : <1x64x32xf32, #tile.shared<pad = 4>>
// CHECK-DAG:     %[[B2:.*]] = tile.alloc_shared : <1x32x16xf32, #tile.shared<pad = 4>>
// CHECK-NOT:     tile.load
// CHECK:         tile.local_load {{.*}} -> tensor<64x32xf32, #tile.shared<pad = 4>>
// CHECK:         tile.local_load {{.*}} -> tensor<32x16xf32, #tile.shared<pad = 4>>
// CHECK-NOT:     tile.load
// CHECK:         tile.dot
func.func @kernel(%a: memref<64x64xf32>, %i: index) -> tensor<64x16xf32>
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4,
                block_m = 64, block_n = 32, stages = 2, smem = 0, chip = "sm_90">} {
  %x = tile.load %a[%i, %i] : memref<64x64xf32> -> tensor<64x32xf32>
  %y = tile.load %a[%i, %i] : memref<64x64xf32> -> tensor<32x16xf32>
  %r = tile.dot %x, %y : tensor<64x32xf32>, tensor<32x16xf32> -> tensor<64x16xf32>
  return %r : tensor<64x16xf32>
}
