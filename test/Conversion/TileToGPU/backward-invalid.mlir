// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu -verify-diagnostics

// What the GPU lowering of the backward's tile ops refuses, before anything
// is rewritten: a product with a transposed lhs still in registers
// (attn-assign-layouts stages it in shared memory), an atomic add of a tile
// that is not an accumulator. The tiles carry layouts, so the
// refusal is the op's own and not the missing-layout one.

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @transpose_lhs(%p: tensor<64x32xf16, #tile.operand<a, #mma>>, %do: tensor<64x16xf16, #tile.shared<pad = 8>>, %o: memref<32x16xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.dot' op is a product with a transposed lhs in registers; it is read from shared memory (run -attn-assign-layouts, which stages it)}}
  %dv = tile.dot %p, %do transpose_lhs : tensor<64x32xf16, #tile.operand<a, #mma>>, tensor<64x16xf16, #tile.shared<pad = 8>> -> tensor<32x16xf32, #mma>
  tile.store %dv, %o[%c0, %c0] : tensor<32x16xf32, #mma>, memref<32x16xf32>
  return
}

// -----

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @atomic_add_operand(%dq: memref<1x2x40x16xf32>, %t: tensor<32x16xf32, #tile.operand<a, #mma>>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.atomic_add' op adds a tile that is not in a #tile.mma layout}}
  tile.atomic_add %t, %dq[%c0, %c0, %c0, %c0] : tensor<32x16xf32, #tile.operand<a, #mma>>, memref<1x2x40x16xf32>
  return
}
