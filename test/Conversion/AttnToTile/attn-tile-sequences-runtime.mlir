// RUN: attn-opt %s -attn-select-tiling=chip=sm_90a -attn-tile | FileCheck %s
// RUN: attn-opt %s -attn-select-tiling=chip=sm_90a -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize | FileCheck %s --check-prefix=PRODUCER

// Packed sequences of sizes known only at run time (S too): the grid is
// ceil(Nq / 128) + (S + 1) row blocks along x, a sum the runtime evaluates;
// the search for a program's sequence is a loop of ceil(log2 S) steps,
// that count found by a loop too.

// CHECK-LABEL: func.func private @attn_fwd(
// CHECK-SAME:    %[[CUQ:[^:]*]]: memref<?xi32, strided<[1]>>, %{{[^:]*}}: memref<?xi32, strided<[1]>>,
// CHECK-SAME:    grid = [?, ?, ?]
// CHECK:         %[[X:.*]] = tile.program_id 0
// CHECK:         %[[OFFSETS:.*]] = memref.dim %[[CUQ]], %c0
// CHECK:         %[[S:.*]] = arith.subi %[[OFFSETS]], %c1
// CHECK:         %[[LAST:.*]] = arith.subi %[[S]], %c1
// bits = ceil(log2 S): the first b with 2^b >= S.
// CHECK:         %[[BITS:.*]] = scf.while (%[[B:.*]] = %c0{{.*}}) : (index) -> index {
// CHECK:           %[[POW:.*]] = arith.shli %c1{{.*}}, %[[B]] : index
// CHECK:           %[[BELOW:.*]] = arith.cmpi ult, %[[POW]], %[[S]] : index
// CHECK:           scf.condition(%[[BELOW]]) %[[B]] : index
// CHECK:         } do {
// CHECK:           arith.addi
// CHECK:         }
// CHECK:         %[[SEQ:.*]] = scf.for %[[K:.*]] = %c0{{.*}} to %[[BITS]] step %c1{{.*}} iter_args(%[[AT:.*]] = %c0{{.*}}) -> (index) {
// CHECK:           %[[STRIDE:.*]] = arith.shli %c1{{.*}}, %{{.*}} : index
// CHECK:           %[[CAND:.*]] = arith.addi %[[AT]], %[[STRIDE]] : index
// CHECK:           memref.load %[[CUQ]][%{{.*}}]
// CHECK:           %[[NEXT:.*]] = arith.select %{{.*}}, %[[CAND]], %[[AT]] : index
// CHECK:           scf.yield %[[NEXT]] : index
// CHECK:         }
// CHECK:         memref.load %[[CUQ]][%[[SEQ]]]
// CHECK:         arith.subi %[[X]], %{{.*}} : index

// CHECK-LABEL: func.func @sequences
// CHECK:         %[[NQ:.*]] = tensor.dim %arg0, %c2
// CHECK:         %[[OFFS:.*]] = tensor.dim %arg3, %c0
// CHECK:         %[[BLOCKS:.*]] = arith.ceildivui %[[NQ]], %c128
// CHECK:         %[[GX:.*]] = arith.addi %[[BLOCKS]], %[[OFFS]] : index
// CHECK:         tile.launch @attn_fwd{{.*}} grid [%[[GX]],

// The producer warpgroup runs the search loop itself (its loads read what
// nothing writes) before its first copy.
// PRODUCER:      producer {
// PRODUCER:        scf.while
// PRODUCER:        scf.for
// PRODUCER:          memref.load
// PRODUCER:        tile.tma_load
// PRODUCER:      } compute {

func.func @sequences(%q: tensor<?x?x?x128xbf16>, %k: tensor<?x?x?x128xbf16>,
                     %v: tensor<?x?x?x128xbf16>, %cu_q: tensor<?xi32>,
                     %cu_k: tensor<?xi32>) -> tensor<?x?x?x128xbf16> {
  %o = attn.attention %q, %k, %v sequences(%cu_q, %cu_k) causal
      : tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>, tensor<?x?x?x128xbf16>,
        tensor<?xi32>, tensor<?xi32> -> tensor<?x?x?x128xbf16>
  return %o : tensor<?x?x?x128xbf16>
}
