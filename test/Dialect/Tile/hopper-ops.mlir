// RUN: attn-opt %s -split-input-file | attn-opt -split-input-file | FileCheck %s
// RUN: attn-opt %s -split-input-file --mlir-print-op-generic | attn-opt -split-input-file | FileCheck %s

// Round-trip of the sm_90a (Hopper) part of the tile dialect through its
// custom syntax and the generic form: tensor maps, barrier rings, TMA
// copies, warp specialization, asynchronous products and their waits,
// ping-pong turns, and the #tile.config fields of the wgmma path.

// A warp-specialized wgmma kernel's configuration prints its mma family
// and producer warps; a launch names the tensor maps it passes after its
// buffers and says which buffer each is encoded from.

#cfg = #tile.config<grid = [8, 8, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @kernel
// CHECK-SAME:    (memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>, !tile.tensor_map<128x64xbf16, swizzle = 128>)
// CHECK-SAME:    attributes {tile.config = #tile.config<grid = [8, 8, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>}
func.func private @kernel(memref<1x2x64x64xbf16>, memref<1x2x64x64xbf16>,
                          !tile.tensor_map<128x64xbf16, swizzle = 128>)
    attributes {tile.config = #cfg}

// CHECK-LABEL: func.func @host
// CHECK:         tile.launch @kernel(%{{.*}}) names ["q", "o", "q_map"]
// CHECK-SAME:      config = #tile.config<grid = [8, 8, 1], warps = 12, {{.*}}, mma = wgmma, producer_warps = 4>
// CHECK-SAME:      tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<128x64xbf16, swizzle = 128>>]
// CHECK-SAME:      : (tensor<1x2x64x64xbf16>) -> tensor<1x2x64x64xbf16>
func.func @host(%q: tensor<1x2x64x64xbf16>) -> tensor<1x2x64x64xbf16> {
  %o = tile.launch @kernel(%q) names ["q", "o", "q_map"]
      {config = #cfg,
       tensor_maps = [#tile.tensor_map_arg<source = 0, !tile.tensor_map<128x64xbf16, swizzle = 128>>]}
      : (tensor<1x2x64x64xbf16>) -> tensor<1x2x64x64xbf16>
  return %o : tensor<1x2x64x64xbf16>
}

// -----

// The defaults (mma = sync, no producer warps) are not printed; wgmma
// without producers prints only its family.

// CHECK-LABEL: func.func private @sync_default
// CHECK-SAME:    tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a">}
// CHECK-LABEL: func.func private @wgmma_no_producers
// CHECK-SAME:    tile.config = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 128, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma>}
func.func private @sync_default() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = sync, producer_warps = 0>}
func.func private @wgmma_no_producers() attributes {tile.config = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 128, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma>}

// -----

// Barrier rings, TMA copies and the waits and arrivals around them.

// CHECK-LABEL: func.func @tma
// CHECK-SAME:    (%[[MAP:.*]]: !tile.tensor_map<128x64xbf16, swizzle = 128>, %[[I:.*]]: index, %[[SLOT:.*]]: index, %[[PAR:.*]]: index)
// CHECK:         %[[BUF:.*]] = tile.alloc_shared {offset = 0 : i64} : <2x128x128xbf16, #tile.shared<swizzle = 128>>
// CHECK:         %[[FULL:.*]] = tile.alloc_mbarrier copy {offset = 131072 : i64} : <2>
// CHECK:         %[[EMPTY:.*]] = tile.alloc_mbarrier release : <2>
// CHECK:         tile.mbarrier_wait %[[EMPTY]][%[[SLOT]]], %[[PAR]] : <2>
// CHECK:         tile.tma_load %[[MAP]][%[[I]], %[[I]], %[[I]]], %[[BUF]][%[[SLOT]]], %[[FULL]] :
// CHECK-SAME:      <128x64xbf16, swizzle = 128>, <2x128x128xbf16, #tile.shared<swizzle = 128>>, <2>
// CHECK:         tile.mbarrier_wait %[[FULL]][%[[SLOT]]], %[[PAR]] : <2>
// CHECK:         tile.local_load %[[BUF]][%[[SLOT]]] : <2x128x128xbf16, #tile.shared<swizzle = 128>> -> tensor<128x128xbf16, #tile.shared<swizzle = 128>>
// CHECK:         tile.mbarrier_arrive %[[EMPTY]][%[[SLOT]]] : <2>
func.func @tma(%map: !tile.tensor_map<128x64xbf16, swizzle = 128>, %i: index,
               %slot: index, %parity: index) -> tensor<128x128xbf16, #tile.shared<swizzle = 128>> {
  %buf = tile.alloc_shared {offset = 0 : i64}
      : !tile.buffer<2x128x128xbf16, #tile.shared<swizzle = 128>>
  %full = tile.alloc_mbarrier copy {offset = 131072 : i64} : !tile.mbarrier<2>
  %empty = tile.alloc_mbarrier release : !tile.mbarrier<2>
  tile.mbarrier_wait %empty[%slot], %parity : !tile.mbarrier<2>
  tile.tma_load %map[%i, %i, %i], %buf[%slot], %full
      : !tile.tensor_map<128x64xbf16, swizzle = 128>,
        !tile.buffer<2x128x128xbf16, #tile.shared<swizzle = 128>>, !tile.mbarrier<2>
  tile.mbarrier_wait %full[%slot], %parity : !tile.mbarrier<2>
  %t = tile.local_load %buf[%slot]
      : !tile.buffer<2x128x128xbf16, #tile.shared<swizzle = 128>>
      -> tensor<128x128xbf16, #tile.shared<swizzle = 128>>
  tile.mbarrier_arrive %empty[%slot] : !tile.mbarrier<2>
  return %t : tensor<128x128xbf16, #tile.shared<swizzle = 128>>
}

// -----

// The two regions of a warp-specialized kernel, with their register
// budgets.

#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @specialized
// CHECK:         tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
// CHECK-NEXT:      tile.mbarrier_arrive
// CHECK-NEXT:    } compute {
// CHECK-NEXT:      tile.mma_turn_start
// CHECK-NEXT:      tile.mma_turn_wait
// CHECK-NEXT:      tile.mma_turn_pass
// CHECK-NEXT:      tile.mbarrier_wait
// CHECK-NEXT:    }
// CHECK-NEXT:    return
func.func private @specialized(%bar: !tile.mbarrier<1>, %i: index) attributes {tile.config = #cfg} {
  tile.warp_specialize attributes {producer_registers = 24 : i64, compute_registers = 240 : i64} producer {
    tile.mbarrier_arrive %bar[%i] : !tile.mbarrier<1>
  } compute {
    tile.mma_turn_start
    tile.mma_turn_wait
    tile.mma_turn_pass
    tile.mbarrier_wait %bar[%i], %i : !tile.mbarrier<1>
  }
  return
}

// -----

// Asynchronous wgmma products and the waits that return them (and keep
// the register operands they read alive); the wait's result types are
// its operands'.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
// CHECK-LABEL: func.func @async_dots
// CHECK-SAME:    (%[[Q:.*]]: tensor<64x64xf16, #tile.shared<swizzle = 128>>, %[[K:.*]]: tensor<64x64xf16, #tile.shared<swizzle = 128>>, %[[P:.*]]: tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>, %[[ACC:.*]]: tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>)
// CHECK:         %[[S:.*]] = tile.dot %[[Q]], %[[K]] transpose_rhs async : tensor<64x64xf16, #tile.shared<swizzle = 128>>, tensor<64x64xf16, #tile.shared<swizzle = 128>> -> tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK:         %[[O:.*]] = tile.dot %[[P]], %[[K]], %[[ACC]] async : tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>, tensor<64x64xf16, #tile.shared<swizzle = 128>>, tensor<64x64xf32, #tile.mma<wgmma, warps = 4>> -> tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK:         %[[SW:.*]] = tile.dot_wait %[[S]] pending = 1 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK:         %[[OW:.*]]:2 = tile.dot_wait %[[O]], %[[P]] pending = 0 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>, tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>
// CHECK:         return %[[SW]], %[[OW]]#0
func.func @async_dots(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>,
                      %p: tensor<64x64xf16, #tile.operand<a, #mma>>,
                      %acc: tensor<64x64xf32, #mma>)
    -> (tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>) {
  %s = tile.dot %q, %k transpose_rhs async
      : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
  %o = tile.dot %p, %k, %acc async
      : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>,
        tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
  %sw = tile.dot_wait %s pending = 1 : tensor<64x64xf32, #mma>
  %ow:2 = tile.dot_wait %o, %p pending = 0
      : tensor<64x64xf32, #mma>, tensor<64x64xf16, #tile.operand<a, #mma>>
  return %sw, %ow#0 : tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>
}

// -----

// wgmma layouts: 64-row slabs per warpgroup; slices and A operands of them.

#mma = #tile.mma<wgmma, warps = 8>
// CHECK-LABEL: func.func private @wgmma_layouts
// CHECK-SAME:    tensor<128x64xf32, #tile.mma<wgmma, warps = 8>>
// CHECK-SAME:    tensor<128xf32, #tile.slice<dim = 1, <wgmma, warps = 8>>>
// CHECK-SAME:    tensor<128x64xbf16, #tile.operand<a, <wgmma, warps = 8>>>
func.func private @wgmma_layouts(tensor<128x64xf32, #mma>, tensor<128xf32, #tile.slice<dim = 1, #mma>>,
                                 tensor<128x64xbf16, #tile.operand<a, #mma>>)

// -----

// Tensor maps of every element type and swizzle.

// CHECK-LABEL: func.func private @maps
// CHECK-SAME:    !tile.tensor_map<64x64xf16, swizzle = 128>
// CHECK-SAME:    !tile.tensor_map<256x32xf32, swizzle = 128>
// CHECK-SAME:    !tile.tensor_map<1x16xbf16, swizzle = 32>
// CHECK-SAME:    !tile.tensor_map<16x32xf16, swizzle = 64>
// CHECK-SAME:    !tile.tensor_map<16x8xf16, swizzle = 0>
// CHECK-SAME:    !tile.mbarrier<1>, !tile.mbarrier<8>
func.func private @maps(!tile.tensor_map<64x64xf16, swizzle = 128>,
                        !tile.tensor_map<256x32xf32, swizzle = 128>,
                        !tile.tensor_map<1x16xbf16, swizzle = 32>,
                        !tile.tensor_map<16x32xf16, swizzle = 64>,
                        !tile.tensor_map<16x8xf16, swizzle = 0>,
                        !tile.mbarrier<1>, !tile.mbarrier<8>)
