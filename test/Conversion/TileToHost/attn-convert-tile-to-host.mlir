// RUN: attn-opt %s -attn-tile -attn-fuse-online-softmax -attn-promote-shared -attn-convert-tile-to-host | FileCheck %s

// The host execution path: the kernel becomes a C-callable function that
// loops over its grid; tiles become buffers and tile ops loop nests; the
// shared-memory copies of rung 4 are plain synchronous copies.

func.func @attention(%q: tensor<1x2x40x16xf16>, %k: tensor<1x2x40x16xf16>,
                     %v: tensor<1x2x40x16xf16>) -> tensor<1x2x40x16xf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x40x16xf16>, tensor<1x2x40x16xf16>, tensor<1x2x40x16xf16>
      -> tensor<1x2x40x16xf16>
  return %o : tensor<1x2x40x16xf16>
}

// CHECK-LABEL: func.func @attn_fwd(
// CHECK-SAME:    %[[Q:.*]]: memref<1x2x40x16xf16>, %{{.*}}: memref<1x2x40x16xf16>, %{{.*}}: memref<1x2x40x16xf16>, %[[O:.*]]: memref<1x2x40x16xf16>)
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK-NOT:     tile.
// CHECK-DAG:     %[[QT:.*]] = memref.alloc() : memref<128x16xf16>
// CHECK-DAG:     memref.alloc() : memref<2x64x16xf16>
// The grid (B·H = 2, ⌈40/128⌉ = 1, 1) as three loops.
// CHECK-DAG:     %[[C2:.*]] = arith.constant 2 : index
// CHECK:         scf.for %[[BH:.*]] = %{{.*}} to %[[C2]]
// CHECK:           scf.for %[[MB:.*]] =
// CHECK:             scf.for
// Loads zero-fill past the bounds.
// CHECK:               scf.if
// CHECK:                 memref.load %[[Q]]
// CHECK:               } else {
// CHECK:                 arith.constant 0.000000e+00 : f16
// The dot multiplies in f32.
// CHECK:               arith.extf %{{.*}} : f16 to f32
// CHECK:               math.fma
// The online softmax's exponentials.
// CHECK:               math.exp2
// CHECK:         memref.dealloc
// CHECK:         return
// The launch plan stays for the host program.
// CHECK-LABEL: func.func @attention
// CHECK:         tile.launch @attn_fwd
