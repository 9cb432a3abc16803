// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/backward.mlir -attn-select-tiling=chip=sm_90a -attn-tile -attn-recompute-probabilities -attn-fold-score-scale -attn-fold-product-bias -attn-promote-tma | FileCheck %t/backward.mlir
// RUN: attn-opt %t/backward.mlir -attn-select-tiling=chip=sm_90a -attn-tile -attn-recompute-probabilities -attn-fold-score-scale -attn-fold-product-bias -attn-promote-tma -attn-warp-specialize | FileCheck %t/backward.mlir --check-prefix=WS
// RUN: attn-opt %t/ragged.mlir -attn-select-tiling=chip=sm_90a -attn-tile -attn-recompute-probabilities -attn-promote-tma | FileCheck %t/ragged.mlir
// RUN: attn-opt %t/ops.mlir | attn-opt | FileCheck %t/ops.mlir
// RUN: attn-opt %t/invalid.mlir -split-input-file -verify-diagnostics

// The wgmma backward's logsumexp and δ, one 128-column vector of each per
// step, are staged like the step's Q and dO tiles: a bulk copy into a slot
// of a one-row buffer, waited for and read into registers where the vector
// is first needed, the slot released as soon as it is read. In registers a
// column vector costs 32 per thread for the whole step; read at its use it
// costs them only there.

//--- backward.mlir

func.func @grad(%do: tensor<1x2x256x64xbf16>, %q: tensor<1x2x256x64xbf16>,
                %k: tensor<1x2x256x64xbf16>, %v: tensor<1x2x256x64xbf16>,
                %o: tensor<1x2x256x64xbf16>, %lse: tensor<1x2x256xf32>)
    -> (tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse causal
      : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>,
        tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256xf32>
      -> tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
  return %dq, %dk, %dv : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
}

// CHECK-LABEL: func.func private @attn_bwd_dkdv
// CHECK-SAME:    %[[DELTA:[^:]*]]: memref<1x2x256xf32>, %{{[^:]*}}: memref<1x2x256x64xf32>, %[[LSE:[^:]*]]: memref<1x2x256xf32>
// CHECK:         %[[DBUF:.*]] = tile.alloc_shared : <2x1x128xf32, #tile.shared<>>
// CHECK-NEXT:    %[[DFULL:.*]] = tile.alloc_mbarrier copy : <2>
// CHECK-NEXT:    %[[DFREE:.*]] = tile.alloc_mbarrier release : <2>
// CHECK-NEXT:    %[[LBUF:.*]] = tile.alloc_shared : <2x1x128xf32, #tile.shared<>>
// CHECK-NEXT:    %[[LFULL:.*]] = tile.alloc_mbarrier copy : <2>
// CHECK-NEXT:    %[[LFREE:.*]] = tile.alloc_mbarrier release : <2>
// The causal loop starts at the program's diagonal block, a multiple of
// 128: every vector is whole and 16-byte aligned.
// CHECK:         scf.for %[[J:.*]] = %{{.*}} to %c256 step %c128
// CHECK:           tile.mbarrier_wait %[[DFREE]][%[[SLOT:.*]]], %[[FREEPAR:.*]] : <2>
// CHECK-NEXT:      tile.bulk_load %[[DELTA]][%{{.*}}, %{{.*}}, %[[J]]], %[[DBUF]][%[[SLOT]]], %[[DFULL]] : memref<1x2x256xf32>, <2x1x128xf32, #tile.shared<>>, <2>
// CHECK:           tile.mbarrier_wait %[[LFREE]][%[[SLOT]]], %[[FREEPAR]] : <2>
// CHECK-NEXT:      tile.bulk_load %[[LSE]][%{{.*}}, %{{.*}}, %[[J]]], %[[LBUF]][%[[SLOT]]], %[[LFULL]]
// CHECK-NOT:       tile.load
// Sᵀ first; then the logsumexp, with its scale by log2(e) moved along.
// CHECK:           %[[S:.*]] = tile.dot
// CHECK:           tile.mbarrier_wait %[[LFULL]][%[[SLOT]]], %[[PAR:.*]] : <2>
// CHECK-NEXT:      %[[L:.*]] = tile.local_load %[[LBUF]][%[[SLOT]]] : <2x1x128xf32, #tile.shared<>> -> tensor<128xf32>
// CHECK-NEXT:      tile.mbarrier_arrive %[[LFREE]][%[[SLOT]]] : <2>
// CHECK-NEXT:      %[[LS:.*]] = arith.mulf %[[L]], %{{.*}} : tensor<128xf32>
// CHECK-NEXT:      tile.broadcast %[[LS]] dim 0
// δ where dPᵀ's accumulator starts, after the dV product.
// CHECK:           %[[DV:.*]] = tile.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<128x128xbf16>
// CHECK-NEXT:      tile.mbarrier_wait %[[DFULL]][%[[SLOT]]], %[[PAR]] : <2>
// CHECK-NEXT:      %[[D:.*]] = tile.local_load %[[DBUF]][%[[SLOT]]] : <2x1x128xf32, #tile.shared<>> -> tensor<128xf32>
// CHECK-NEXT:      tile.mbarrier_arrive %[[DFREE]][%[[SLOT]]] : <2>
// CHECK-NEXT:      %[[N:.*]] = arith.negf %[[D]] : tensor<128xf32>
// CHECK-NEXT:      %[[Z:.*]] = tile.broadcast %[[N]] dim 0
// CHECK-NEXT:      tile.dot %{{.*}}, %{{.*}}, %[[Z]] transpose_rhs
// CHECK:           scf.yield

// The producer warps issue the bulk copies with the TMA copies; the compute
// warps keep the waits, reads and releases.
// WS-LABEL: func.func private @attn_bwd_dkdv
// WS:         tile.warp_specialize
// WS:         producer {
// WS:           scf.for
// WS-COUNT-2:     tile.tma_load
// WS:             tile.bulk_load
// WS:             tile.bulk_load
// WS:         } compute {
// WS-NOT:       tile.bulk_load
// WS:           tile.local_load %{{.*}} : <2x1x128xf32, #tile.shared<>> -> tensor<128xf32>
// WS:           tile.local_load %{{.*}} : <2x1x128xf32, #tile.shared<>> -> tensor<128xf32>

//--- ragged.mlir

// 100 queries: the last step's vector would run past its row (and 400-byte
// rows break the copies' alignment), so the vectors stay loads.

func.func @grad(%do: tensor<1x2x100x64xbf16>, %q: tensor<1x2x100x64xbf16>,
                %k: tensor<1x2x100x64xbf16>, %v: tensor<1x2x100x64xbf16>,
                %o: tensor<1x2x100x64xbf16>, %lse: tensor<1x2x100xf32>)
    -> (tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>) {
  %dq, %dk, %dv = attn.attention_backward %do, %q, %k, %v, %o, %lse
      : tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>,
        tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100xf32>
      -> tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>
  return %dq, %dk, %dv : tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>, tensor<1x2x100x64xbf16>
}

// CHECK-LABEL: func.func private @attn_bwd_dkdv
// CHECK-NOT:     tile.bulk_load
// CHECK:         scf.for
// CHECK:           tile.load %{{.*}} : memref<1x2x100xf32> -> tensor<128xf32>
// CHECK:           tile.load %{{.*}} : memref<1x2x100xf32> -> tensor<128xf32>
// CHECK-NOT:     tile.bulk_load
// CHECK:       func.func

//--- ops.mlir

// CHECK-LABEL: func.func private @staged
// CHECK:         tile.bulk_load %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}], %[[BUF:.*]][%{{.*}}], %{{.*}} : memref<1x2x256xf32>, <2x1x128xf32, #tile.shared<>>, <2>
// CHECK:         tile.local_load %[[BUF]][%{{.*}}] : <2x1x128xf32, #tile.shared<>> -> tensor<128xf32>
#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @staged(%lse: memref<1x2x256xf32>, %j: index) -> tensor<128xf32> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared : !tile.buffer<2x1x128xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<2>
  tile.bulk_load %lse[%c0, %c0, %j], %buf[%c0], %full : memref<1x2x256xf32>, !tile.buffer<2x1x128xf32, #tile.shared<>>, !tile.mbarrier<2>
  tile.mbarrier_wait %full[%c0], %c0 : !tile.mbarrier<2>
  %v = tile.local_load %buf[%c0] : !tile.buffer<2x1x128xf32, #tile.shared<>> -> tensor<128xf32>
  return %v : tensor<128xf32>
}

//--- invalid.mlir

func.func private @two_rows(%src: memref<256xf32>, %i: index) {
  %buf = tile.alloc_shared : !tile.buffer<2x2x64xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<2>
  // expected-error @below {{copies a vector into a plain buffer of one row, got '!tile.buffer<2x2x64xf32, #tile.shared<>>'}}
  tile.bulk_load %src[%i], %buf[%i], %full : memref<256xf32>, !tile.buffer<2x2x64xf32, #tile.shared<>>, !tile.mbarrier<2>
  return
}

// -----

func.func private @short_rows(%src: memref<4x100xf32>, %i: index) {
  %buf = tile.alloc_shared : !tile.buffer<2x1x64xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<2>
  // expected-error @below {{copies 64-element vectors from rows that must be packed, of a static multiple of that length, in multiples of 16 bytes; got 'memref<4x100xf32>'}}
  tile.bulk_load %src[%i, %i], %buf[%i], %full : memref<4x100xf32>, !tile.buffer<2x1x64xf32, #tile.shared<>>, !tile.mbarrier<2>
  return
}

// -----

func.func private @small_vector(%src: memref<4x128xf32>, %i: index) {
  %buf = tile.alloc_shared : !tile.buffer<2x1x2xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<2>
  // expected-error @below {{copies 2-element vectors from rows that must be packed, of a static multiple of that length, in multiples of 16 bytes; got 'memref<4x128xf32>'}}
  tile.bulk_load %src[%i, %i], %buf[%i], %full : memref<4x128xf32>, !tile.buffer<2x1x2xf32, #tile.shared<>>, !tile.mbarrier<2>
  return
}

// -----

func.func private @index_count(%src: memref<4x128xf32>, %i: index) {
  %buf = tile.alloc_shared : !tile.buffer<2x1x128xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<2>
  // expected-error @below {{needs one index per dimension of the source (2), got 1}}
  tile.bulk_load %src[%i], %buf[%i], %full : memref<4x128xf32>, !tile.buffer<2x1x128xf32, #tile.shared<>>, !tile.mbarrier<2>
  return
}

// -----

func.func private @scalar_source(%src: memref<f32>, %i: index) {
  %buf = tile.alloc_shared : !tile.buffer<2x1x128xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<2>
  // expected-error @below {{copies a vector out of a memref of rank 0}}
  tile.bulk_load %src[], %buf[%i], %full : memref<f32>, !tile.buffer<2x1x128xf32, #tile.shared<>>, !tile.mbarrier<2>
  return
}

// -----

func.func private @release_barrier(%src: memref<4x128xf32>, %i: index) {
  %buf = tile.alloc_shared : !tile.buffer<2x1x128xf32, #tile.shared<>>
  %free = tile.alloc_mbarrier release : !tile.mbarrier<2>
  // expected-error @below {{signals a 'release' barrier; copies signal 'copy' barriers}}
  tile.bulk_load %src[%i, %i], %buf[%i], %free : memref<4x128xf32>, !tile.buffer<2x1x128xf32, #tile.shared<>>, !tile.mbarrier<2>
  return
}

// -----

func.func private @barrier_slots(%src: memref<4x128xf32>, %i: index) {
  %buf = tile.alloc_shared : !tile.buffer<2x1x128xf32, #tile.shared<>>
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<3>
  // expected-error @below {{needs one barrier per buffer slot (2), got 3}}
  tile.bulk_load %src[%i, %i], %buf[%i], %full : memref<4x128xf32>, !tile.buffer<2x1x128xf32, #tile.shared<>>, !tile.mbarrier<3>
  return
}

// -----

func.func private @vector_of_tile(%i: index) -> tensor<64xf32> {
  %buf = tile.alloc_shared : !tile.buffer<2x2x64xf32, #tile.shared<>>
  // expected-error @below {{reads a vector from a slot of one row of 64 'f32', got '!tile.buffer<2x2x64xf32, #tile.shared<>>'}}
  %v = tile.local_load %buf[%i] : !tile.buffer<2x2x64xf32, #tile.shared<>> -> tensor<64xf32>
  return %v : tensor<64xf32>
}
