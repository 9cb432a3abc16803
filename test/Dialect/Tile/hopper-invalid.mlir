// RUN: attn-opt %s -split-input-file -verify-diagnostics

// One case per rule of the sm_90a (Hopper) part of the tile dialect:
// tensor maps, barrier rings, TMA copies, warp specialization,
// asynchronous products, and the wgmma fields of #tile.config.

// expected-error @below {{!tile.tensor_map elements must be f16, bf16 or f32, got 'i8'}}
func.func private @map_element(!tile.tensor_map<64x128xi8, swizzle = 128>)

// -----

// expected-error @below {{!tile.tensor_map box sizes must be in [1, 256], got 512x64}}
func.func private @map_box_rows(!tile.tensor_map<512x64xf16, swizzle = 128>)

// -----

// expected-error @below {{!tile.tensor_map box sizes must be in [1, 256], got 64x0}}
func.func private @map_box_cols(!tile.tensor_map<64x0xf16, swizzle = 0>)

// -----

// expected-error @below {{!tile.tensor_map swizzle must be 0, 32, 64 or 128 bytes, got 96}}
func.func private @map_swizzle(!tile.tensor_map<64x64xf16, swizzle = 96>)

// -----

// expected-error @below {{!tile.tensor_map box rows must be a multiple of 16 bytes, got 8}}
func.func private @map_row_bytes(!tile.tensor_map<64x4xf16, swizzle = 0>)

// -----

// expected-error @below {{!tile.tensor_map: a 128-byte swizzle needs box rows of 128 bytes, got 64}}
func.func private @map_swizzle_rows(!tile.tensor_map<64x32xf16, swizzle = 128>)

// -----

// expected-error @below {{a tensor map's box is rows x cols, got 3 sizes}}
func.func private @map_rank(!tile.tensor_map<2x64x64xf16, swizzle = 128>)

// -----

// expected-error @below {{!tile.mbarrier must have 1 to 8 slots, got 0}}
func.func private @mbarrier_empty(!tile.mbarrier<0>)

// -----

// expected-error @below {{!tile.mbarrier must have 1 to 8 slots, got 9}}
func.func private @mbarrier_slots(!tile.mbarrier<9>)

// -----

func.func @mbarrier_misaligned() {
  // expected-error @below {{'tile.alloc_mbarrier' op offset 12 must be a multiple of 8 bytes}}
  %b = tile.alloc_mbarrier copy {offset = 12 : i64} : !tile.mbarrier<2>
  return
}

// -----

func.func @mbarrier_kind() {
  // expected-error @below {{custom op 'tile.alloc_mbarrier' expected string or keyword containing one of the following enum values for attribute 'kind' [copy, release]}}
  %b = tile.alloc_mbarrier full : !tile.mbarrier<2>
  return
}

// -----

// #tile.config: a producer warpgroup is 4 warps, feeds wgmma compute
// warpgroups, and comes on top of a valid count of compute warps.

// expected-error @below {{#tile.config: producer_warps must be 0 or 4 (one warpgroup), got 2}}
func.func private @config_producers() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 10, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 2>}

// -----

// expected-error @below {{#tile.config: producer warps feed wgmma compute warpgroups; mma must be wgmma}}
func.func private @config_producers_sync() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = sync, producer_warps = 4>}

// -----

// expected-error @below {{#tile.config: compute warps (warps - producer_warps) must be 1, 2, 4, 8 or 16, got 6}}
func.func private @config_compute_warps() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 10, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>}

// -----

// expected-error @below {{#tile.config: at most 16 warps (512 threads), got 20}}
func.func private @config_too_many_warps() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 20, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>}

// -----

// expected-error @below {{#tile.config: wgmma computes on warpgroups; compute warps must be a multiple of 4, got 2}}
func.func private @config_wgmma_warps() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 2, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma>}

// -----

// expected-error @below {{#tile.tensor_map_arg: source must be a buffer number, got -1}}
func.func private @map_arg_source() attributes {arg = #tile.tensor_map_arg<source = -1, !tile.tensor_map<64x64xf16, swizzle = 128>>}

// -----

// expected-error @below {{#tile.tensor_map_arg: expected a !tile.tensor_map, got 'memref<64x64xf16>'}}
func.func private @map_arg_type() attributes {arg = #tile.tensor_map_arg<source = 0, memref<64x64xf16>>}

// -----

// Launches: each map is encoded from one of the launch's buffers and is
// the callee's parameter of the same type.

func.func private @k(memref<64x64xf16>, memref<64x64xf16>, !tile.tensor_map<64x64xf16, swizzle = 128>)
func.func @launch_map_source(%x: tensor<64x64xf16>) -> tensor<64x64xf16> {
  // expected-error @below {{'tile.launch' op tensor map source 2 is not one of the launch's 2 buffers}}
  %y = tile.launch @k(%x) names ["x", "y", "y_map"]
      {tensor_maps = [#tile.tensor_map_arg<source = 2, !tile.tensor_map<64x64xf16, swizzle = 128>>]}
      : (tensor<64x64xf16>) -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

func.func private @k(memref<64x64xf16>, memref<64x64xf16>, !tile.tensor_map<64x64xf16, swizzle = 128>)
func.func @launch_map_type(%x: tensor<64x64xf16>) -> tensor<64x64xf16> {
  // expected-error @below {{'tile.launch' op tensor map 0 is '!tile.tensor_map<64x64xbf16, swizzle = 128>' but the callee's argument 2 is '!tile.tensor_map<64x64xf16, swizzle = 128>'}}
  %y = tile.launch @k(%x) names ["x", "y", "x_map"]
      {tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<64x64xbf16, swizzle = 128>>]}
      : (tensor<64x64xf16>) -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

func.func private @k(memref<64x64xf16>, memref<64x64xf16>, !tile.tensor_map<64x64xf16, swizzle = 128>)
func.func @launch_map_names(%x: tensor<64x64xf16>) -> tensor<64x64xf16> {
  // expected-error @below {{'tile.launch' op needs one name per input, output, tensor map and scalar (3), got 2}}
  %y = tile.launch @k(%x) names ["x", "y"]
      {tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<64x64xf16, swizzle = 128>>]}
      : (tensor<64x64xf16>) -> tensor<64x64xf16>
  return %y : tensor<64x64xf16>
}

// -----

// TMA copies: the map and the buffer agree on element type and swizzle, a
// slot is a row of whole boxes, the barrier ring has one barrier per slot
// and is a `copy` ring.

func.func @tma_element(%map: !tile.tensor_map<64x64xbf16, swizzle = 128>, %buf: !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, %bar: !tile.mbarrier<2>, %i: index) {
  // expected-error @below {{'tile.tma_load' op element types differ: '!tile.tensor_map<64x64xbf16, swizzle = 128>' vs '!tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>'}}
  tile.tma_load %map[%i, %i, %i], %buf[%i], %bar : !tile.tensor_map<64x64xbf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, !tile.mbarrier<2>
  return
}

// -----

func.func @tma_padded(%map: !tile.tensor_map<64x64xf16, swizzle = 128>, %buf: !tile.buffer<2x64x64xf16, #tile.shared<pad = 8>>, %bar: !tile.mbarrier<2>, %i: index) {
  // expected-error @below {{'tile.tma_load' op the map writes a 128-byte swizzle but the buffer's layout is #tile.shared<pad = 8>}}
  tile.tma_load %map[%i, %i, %i], %buf[%i], %bar : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #tile.shared<pad = 8>>, !tile.mbarrier<2>
  return
}

// -----

func.func @tma_swizzle(%map: !tile.tensor_map<64x32xf16, swizzle = 64>, %buf: !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, %bar: !tile.mbarrier<2>, %i: index) {
  // expected-error @below {{'tile.tma_load' op the map writes a 64-byte swizzle but the buffer's layout is #tile.shared<swizzle = 128>}}
  tile.tma_load %map[%i, %i, %i], %buf[%i], %bar : !tile.tensor_map<64x32xf16, swizzle = 64>, !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, !tile.mbarrier<2>
  return
}

// -----

func.func @tma_rows(%map: !tile.tensor_map<128x64xf16, swizzle = 128>, %buf: !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, %bar: !tile.mbarrier<2>, %i: index) {
  // expected-error @below {{'tile.tma_load' op a slot of 64x64 is not a row of 128x64 boxes}}
  tile.tma_load %map[%i, %i, %i], %buf[%i], %bar : !tile.tensor_map<128x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, !tile.mbarrier<2>
  return
}

// -----

func.func @tma_cols(%map: !tile.tensor_map<64x128xf32, swizzle = 0>, %buf: !tile.buffer<2x64x192xf32, #tile.shared<>>, %bar: !tile.mbarrier<2>, %i: index) {
  // expected-error @below {{'tile.tma_load' op a slot of 64x192 is not a row of 64x128 boxes}}
  tile.tma_load %map[%i, %i, %i], %buf[%i], %bar : !tile.tensor_map<64x128xf32, swizzle = 0>, !tile.buffer<2x64x192xf32, #tile.shared<>>, !tile.mbarrier<2>
  return
}

// -----

func.func @tma_barrier_slots(%map: !tile.tensor_map<64x64xf16, swizzle = 128>, %buf: !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, %bar: !tile.mbarrier<3>, %i: index) {
  // expected-error @below {{'tile.tma_load' op needs one barrier per buffer slot (2), got 3}}
  tile.tma_load %map[%i, %i, %i], %buf[%i], %bar : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, !tile.mbarrier<3>
  return
}

// -----

func.func @tma_release_barrier(%map: !tile.tensor_map<64x64xf16, swizzle = 128>, %buf: !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, %i: index) {
  %bar = tile.alloc_mbarrier release : !tile.mbarrier<2>
  // expected-error @below {{'tile.tma_load' op signals a 'release' barrier; copies signal 'copy' barriers}}
  tile.tma_load %map[%i, %i, %i], %buf[%i], %bar : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, !tile.mbarrier<2>
  return
}

// -----

// tile.warp_specialize: setmaxnreg's register counts, in a kernel with
// producer warps.

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @ws_producer_registers() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.warp_specialize' op producer_registers must be a multiple of 8 in [24, 256] (setmaxnreg), got 16}}
  tile.warp_specialize attributes {producer_registers = 16 : i64, compute_registers = 240 : i64} producer {
  } compute {
  }
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @ws_compute_registers() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.warp_specialize' op compute_registers must be a multiple of 8 in [24, 256] (setmaxnreg), got 264}}
  tile.warp_specialize attributes {producer_registers = 24 : i64, compute_registers = 264 : i64} producer {
  } compute {
  }
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @ws_register_step() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.warp_specialize' op compute_registers must be a multiple of 8 in [24, 256] (setmaxnreg), got 236}}
  tile.warp_specialize attributes {producer_registers = 24 : i64, compute_registers = 236 : i64} producer {
  } compute {
  }
  return
}

// -----

#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma>
func.func private @ws_no_producers() attributes {tile.config = #cfg} {
  // expected-error @below {{'tile.warp_specialize' op the kernel's #tile.config has no producer warps}}
  tile.warp_specialize attributes {producer_registers = 24 : i64, compute_registers = 240 : i64} producer {
  } compute {
  }
  return
}

// -----

func.func @ws_missing_registers() {
  // expected-error @below {{'tile.warp_specialize' op requires attribute 'compute_registers'}}
  tile.warp_specialize attributes {producer_registers = 24 : i64} producer {
  } compute {
  }
  return
}

// -----

// Asynchronous products are wgmma ones, and only tile.dot_wait reads their
// result.

#mma = #tile.mma<sync, warps = 4>
#sh = #tile.shared<pad = 8>
func.func @async_sync_family(%a: tensor<64x64xf16, #sh>, %b: tensor<64x64xf16, #sh>) {
  // expected-error @below {{'tile.dot' op async products are #tile.mma<wgmma> ones, got 'tensor<64x64xf32, #tile.mma<sync, warps = 4>>'}}
  %r = tile.dot %a, %b async : tensor<64x64xf16, #sh>, tensor<64x64xf16, #sh> -> tensor<64x64xf32, #mma>
  return
}

// -----

func.func @async_no_layout(%a: tensor<64x64xf16>, %b: tensor<64x64xf16>) {
  // expected-error @below {{'tile.dot' op async products are #tile.mma<wgmma> ones, got 'tensor<64x64xf32>'}}
  %r = tile.dot %a, %b async : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
func.func @async_read_directly(%a: tensor<64x64xf16, #sw>, %b: tensor<64x64xf16, #sw>) -> tensor<64x64xf32, #mma> {
  // expected-error @below {{'tile.dot' op the result of an async product may only be used by tile.dot_wait, not by arith.addf}}
  %r = tile.dot %a, %b async : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
  %s = arith.addf %r, %r : tensor<64x64xf32, #mma>
  return %s : tensor<64x64xf32, #mma>
}

// -----

func.func @dot_wait_nothing() {
  // expected-error @below {{'tile.dot_wait' op waits for at least one product}}
  "tile.dot_wait"() {pending = 0 : i32} : () -> ()
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
func.func @dot_wait_types(%x: tensor<64x64xf32, #mma>) {
  // expected-error @below {{'tile.dot_wait' op returns its operands: result types must equal the operand types}}
  %y = "tile.dot_wait"(%x) {pending = 0 : i32} : (tensor<64x64xf32, #mma>) -> tensor<64x32xf32, #mma>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
func.func @dot_wait_negative(%x: tensor<64x64xf32, #mma>) {
  // expected-error @below {{attribute 'pending' failed to satisfy constraint: 32-bit signless integer attribute whose value is non-negative}}
  %y = tile.dot_wait %x pending = -1 : tensor<64x64xf32, #mma>
  return
}

// -----

// #tile.mma<wgmma>: a warpgroup's slab is 64 rows.

// expected-error @below {{#tile.mma: 64 rows cannot be split into 16-row atoms over 8 warps (rows must be a positive multiple of 128)}}
func.func private @wgmma_rows(tensor<64x64xf32, #tile.mma<wgmma, warps = 8>>)
