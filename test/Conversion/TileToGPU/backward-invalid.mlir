// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu -verify-diagnostics

// The backward's tile op forms have no GPU lowering yet: a product with a
// transposed lhs, a row-vector load and an atomic add are each refused before
// anything is rewritten, naming the op and the reason. The tiles carry
// layouts, so the refusal is the op's own and not the missing-layout one.

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @transpose_lhs(%p: tensor<64x32xf16, #tile.shared<pad = 8>>, %do: tensor<64x16xf16, #tile.shared<pad = 8>>, %o: memref<32x16xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.dot' op is a product with a transposed lhs: the GPU lowering of the backward's tile ops (transposed lhs, row loads, atomic adds) is not built yet}}
  %dv = tile.dot %p, %do transpose_lhs : tensor<64x32xf16, #tile.shared<pad = 8>>, tensor<64x16xf16, #tile.shared<pad = 8>> -> tensor<32x16xf32, #mma>
  tile.store %dv, %o[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @row_load(%delta: memref<1x2x40xf32>, %o: memref<1x2x40xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.load' op loads a row vector: the GPU lowering of the backward's tile ops (transposed lhs, row loads, atomic adds) is not built yet}}
  %row = tile.load %delta[%c0, %c0, %c0] : memref<1x2x40xf32> -> tensor<32xf32, #tile.slice<dim = 1, #mma>>
  tile.store %row, %o[%c0, %c0, %c0] : tensor<32xf32, #tile.slice<dim = 1, #mma>>, memref<1x2x40xf32>
  return
}

// -----

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @atomic_add(%dq: memref<1x2x40x16xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %t = arith.constant dense<1.0> : tensor<32x16xf32, #mma>
  // expected-error @below {{'tile.atomic_add' op is an atomic add: the GPU lowering of the backward's tile ops (transposed lhs, row loads, atomic adds) is not built yet}}
  tile.atomic_add %t, %dq[%c0, %c0, %c0, %c0] : tensor<32x16xf32, #mma>, memref<1x2x40x16xf32>
  return
}
