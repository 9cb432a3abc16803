// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu -verify-diagnostics

// Every op the GPU patterns cannot lower is refused before anything is
// rewritten, naming the op and the reason.

#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @no_layout(%x: memref<32x16xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.load' op has a tile without a layout (run -attn-assign-layouts first)}}
  %t = tile.load %x[%c0, %c0] : memref<32x16xf32> -> tensor<32x16xf32>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @no_offset() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.alloc_shared' op has no offset (run -attn-allocate-shared first)}}
  %b = tile.alloc_shared : !tile.buffer<1x32x32xf16, #tile.shared<pad = 8>>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @swizzled() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.alloc_shared' op has a 64-byte swizzle; TMA and wgmma read 128-byte swizzled buffers}}
  %b = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x64x64xf16, #tile.shared<swizzle = 64>>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a">
func.func private @wgmma(%a: tensor<64x64xf16, #tile.shared<pad = 8>>, %b: tensor<64x64xf16, #tile.shared<pad = 8>>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.dot' op is a #tile.mma<wgmma> product whose shared operands are not 128-byte swizzled (run -attn-promote-tma)}}
  %r = tile.dot %a, %b : tensor<64x64xf16, #tile.shared<pad = 8>>, tensor<64x64xf16, #tile.shared<pad = 8>> -> tensor<64x64xf32, #mma>
  return
}

// -----

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @store_operand(%x: memref<32x16xf16>, %a: tensor<32x16xf16, #tile.operand<a, #mma>>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.store' op stores a tile that is not in an accumulator or row layout}}
  tile.store %a, %x[%c0, %c0] : tensor<32x16xf16, #tile.operand<a, #mma>>, memref<32x16xf16>
  return
}

// -----

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @convert_to_shared(%x: tensor<32x16xf16, #mma>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.convert_layout' op converts between layouts the GPU mapping cannot convert}}
  %s = tile.convert_layout %x : tensor<32x16xf16, #mma> -> tensor<32x16xf16, #tile.shared<pad = 8>>
  return
}

// -----

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @not_splat(%x: memref<32x8xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'arith.constant' op is a non-splat tile constant}}
  %t = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]> : tensor<32x8xf32, #mma>
  tile.store %t, %x[%c0, %c0] : tensor<32x8xf32, #mma>, memref<32x8xf32>
  return
}

// -----

#mma = #tile.mma<sync, warps = 2>
#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @math_on_operand(%a: tensor<32x16xf16, #tile.operand<a, #mma>>) attributes {tile.config = #cfg} {
  // expected-error @below {{'arith.addf' op computes on a tile that is not in an accumulator or row layout}}
  %b = arith.addf %a, %a : tensor<32x16xf16, #tile.operand<a, #mma>>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 32, block_n = 16, stages = 1, smem = 0, chip = "sm_90">
func.func private @foreign_op(%t: tensor<32x16xf32, #tile.mma<sync, warps = 2>>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tensor.extract_slice' op is not supported inside a tile kernel}}
  %s = tensor.extract_slice %t[0, 0] [32, 8] [1, 1] : tensor<32x16xf32, #tile.mma<sync, warps = 2>> to tensor<32x8xf32, #tile.mma<sync, warps = 2>>
  return
}

// -----

// expected-error @below {{attn-convert-tile-to-gpu: the module holds no tile kernel (the pass runs on rung 4)}}
module {
  func.func @not_a_kernel() {
    return
  }
}

// -----

// A kernel declaration (found by the fuzzer: the host path crashed on it).
// expected-error @below {{attn-convert-tile-to-gpu: kernel @declared is a declaration: a tile kernel needs a body}}
func.func private @declared(memref<16x16xf32>)
    attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 1, block_m = 16, block_n = 16, stages = 1, smem = 0, chip = "sm_90">}
