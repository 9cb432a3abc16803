// RUN: attn-opt %s -split-input-file -attn-convert-tile-to-gpu -verify-diagnostics

// sm_90a ops the GPU patterns cannot lower are refused before anything is
// rewritten, naming the op and the reason.

#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @tma_outside(%map: !tile.tensor_map<64x64xf16, swizzle = 128>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x64x64xf16, #sw>
  %full = tile.alloc_mbarrier copy {offset = 8192 : i64} : !tile.mbarrier<1>
  // expected-error @below {{'tile.tma_load' op is not in the producer region of a tile.warp_specialize (run -attn-warp-specialize first): one thread of one producer warp issues each copy}}
  tile.tma_load %map[%c0, %c0, %c0], %buf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<1x64x64xf16, #sw>, !tile.mbarrier<1>
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @barrier_inside() attributes {tile.config = #cfg} {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
  } compute {
    // expected-error @below {{'tile.barrier' op inside tile.warp_specialize must synchronize the compute warps alone (warps = 8): producers and compute warps run apart}}
    tile.barrier
  }
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @barrier_some_compute_warps() attributes {tile.config = #cfg} {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
  } compute {
    // expected-error @below {{'tile.barrier' op inside tile.warp_specialize must synchronize the compute warps alone (warps = 8): producers and compute warps run apart}}
    tile.barrier {warps = 4 : i64}
  }
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @barrier_producer() attributes {tile.config = #cfg} {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    // expected-error @below {{'tile.barrier' op is in the producer region of a tile.warp_specialize, whose warps run apart}}
    tile.barrier {warps = 8 : i64}
  } compute {
  }
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma>
func.func private @barrier_some_warps() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.barrier' op synchronizes 4 warps outside tile.warp_specialize, where every warp takes part}}
  tile.barrier {warps = 4 : i64}
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @mbarrier_no_offset() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.alloc_mbarrier' op has no offset (run -attn-allocate-shared first)}}
  %full = tile.alloc_mbarrier copy : !tile.mbarrier<1>
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a">
func.func private @sync_of_swizzled(%a: tensor<64x64xf16, #sw>, %b: tensor<64x64xf16, #sw>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.dot' op is a #tile.mma<sync> product of a swizzled tile; ldmatrix reads padded ones}}
  %r = tile.dot %a, %b transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma>
func.func private @wgmma_f32(%a: tensor<64x32xf32, #sw>, %b: tensor<64x32xf32, #sw>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.dot' op is a #tile.mma<wgmma> product of f32; the wgmma patterns take f16 and bf16}}
  %r = tile.dot %a, %b transpose_rhs : tensor<64x32xf32, #sw>, tensor<64x32xf32, #sw> -> tensor<64x64xf32, #mma>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma>
func.func private @wgmma_too_wide(%a: tensor<64x64xf16, #sw>, %b: tensor<264x64xf16, #sw>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.dot' op is a #tile.mma<wgmma> product 264 columns wide; one wgmma covers a multiple of 8 up to 256}}
  %r = tile.dot %a, %b transpose_rhs : tensor<64x64xf16, #sw>, tensor<264x64xf16, #sw> -> tensor<64x264xf32, #mma>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma>
func.func private @wgmma_padded_lhs(%a: tensor<64x64xf16, #tile.shared<pad = 8>>, %b: tensor<64x64xf16, #tile.shared<swizzle = 128>>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.dot' op is a #tile.mma<wgmma> product whose shared operands are not 128-byte swizzled (run -attn-promote-tma)}}
  %r = tile.dot %a, %b transpose_rhs : tensor<64x64xf16, #tile.shared<pad = 8>>, tensor<64x64xf16, #tile.shared<swizzle = 128>> -> tensor<64x64xf32, #mma>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma>
func.func private @swizzle_to_registers(%x: tensor<64x64xf16, #tile.shared<swizzle = 128>>) attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.convert_layout' op converts between layouts the GPU mapping cannot convert}}
  %r = tile.convert_layout %x : tensor<64x64xf16, #tile.shared<swizzle = 128>> -> tensor<64x64xf16, #mma>
  return
}

// -----

// A swizzled buffer holds wgmma operands: 16-bit elements.
#mma = #tile.mma<wgmma, warps = 4>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 1, smem = 0, chip = "sm_90a", mma = wgmma>
func.func private @swizzled_f32_store(%t: tensor<64x32xf32, #mma>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %buf = tile.alloc_shared {offset = 0 : i64} : !tile.buffer<1x64x32xf32, #tile.shared<swizzle = 128>>
  // expected-error @below {{'tile.local_store' op stores a tile of f32 into a swizzled buffer; wgmma's operands there are 16-bit}}
  tile.local_store %t, %buf[%c0] : tensor<64x32xf32, #mma>, !tile.buffer<1x64x32xf32, #tile.shared<swizzle = 128>>
  return
}
