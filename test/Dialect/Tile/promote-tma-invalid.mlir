// RUN: attn-opt %s -split-input-file -attn-promote-tma -verify-diagnostics

// What attn-promote-tma refuses, naming the load and the TMA rule it
// breaks: a copy reads a tensor map encoded from a packed kernel argument,
// into 128-byte swizzled rows of 16-bit elements.

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @not_an_argument(%x: memref<64x64xf16>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %m = memref.alloc() : memref<64x64xf16>
  // expected-error @below {{'tile.load' op cannot be copied with TMA: reads a memref that is neither a kernel argument nor a unit-stride view of one; a tensor map is encoded from a buffer the launch passes}}
  %a = tile.load %m[%c0, %c0] : memref<64x64xf16> -> tensor<64x64xf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @strided(%x: memref<64x64xf16, strided<[128, 1]>>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.load' op cannot be copied with TMA: reads a memref of fixed strides that are not packed; tensor maps are encoded for packed tensors and tensors of run-time strides}}
  %a = tile.load %x[%c0, %c0] : memref<64x64xf16, strided<[128, 1]>> -> tensor<64x64xf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @f32(%x: memref<64x64xf32>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.load' op cannot be copied with TMA: loads a tile of 32-bit elements; the wgmma path takes f16 and bf16}}
  %a = tile.load %x[%c0, %c0] : memref<64x64xf32> -> tensor<64x64xf32>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xf32>, tensor<64x64xf32> -> tensor<64x64xf32>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @narrow(%x: memref<64x32xbf16>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.load' op cannot be copied with TMA: loads a tile of 32 columns; a 128-byte swizzle needs a multiple of 64}}
  %a = tile.load %x[%c0, %c0] : memref<64x32xbf16> -> tensor<64x32xbf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x32xbf16>, tensor<64x32xbf16> -> tensor<64x64xf32>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @row_stride(%x: memref<64x100xf16>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'tile.load' op cannot be copied with TMA: reads rows that are not a multiple of 16 bytes (TMA's stride rule)}}
  %a = tile.load %x[%c0, %c0] : memref<64x100xf16> -> tensor<64x64xf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @k(%x: memref<64x64xf16>, %map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %a = tile.load %x[%c0, %c0] : memref<64x64xf16> -> tensor<64x64xf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  return
}
func.func @twice(%x: tensor<64x64xf16>) {
  // expected-error @below {{'tile.launch' op already passes tensor maps; attn-promote-tma runs once}}
  tile.launch @k() names ["x", "x_map"] {tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<64x64xf16, swizzle = 128>>]} : () -> tensor<64x64xf16>
  return
}

// -----

// The pass runs on tile kernels; a module without any is run on the wrong
// rung.

// expected-error @below {{attn-promote-tma: the module holds no tile kernel (the pass runs on rungs 2-3, after attn-tile)}}
module {
func.func @attention(%q: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}
}

// -----

// A view with a stride other than 1 (every other row): a copy reads whole
// boxes of consecutive rows.

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @strided_view(%x: memref<256x64xf16>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %v = memref.subview %x[0, 0] [128, 64] [2, 1] : memref<256x64xf16> to memref<128x64xf16, strided<[128, 1]>>
  // expected-error @below {{'tile.load' op cannot be copied with TMA: reads a memref that is neither a kernel argument nor a unit-stride view of one; a tensor map is encoded from a buffer the launch passes}}
  %a = tile.load %v[%c0, %c0] : memref<128x64xf16, strided<[128, 1]>> -> tensor<64x64xf16>
  %s = tile.dot %a, %a transpose_rhs : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  return
}
