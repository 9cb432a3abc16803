// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/tile.mlir -split-input-file -attn-pingpong | FileCheck %t/tile.mlir
// RUN: attn-opt %t/attention.mlir -attn-select-tiling="chip=sm_90a block-m=128 num-warps=8" -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize -attn-assign-layouts -attn-overlap-softmax -attn-pingpong | FileCheck %t/attention.mlir
// RUN: attn-opt %t/attention.mlir -attn-select-tiling="chip=sm_90a num-warps=4 block-m=64" -attn-tile -attn-fuse-online-softmax -attn-promote-tma -attn-warp-specialize -attn-assign-layouts -attn-overlap-softmax -attn-pingpong | FileCheck %t/attention.mlir --check-prefix=ONE
// RUN: attn-opt %t/not-a-kernel.mlir -attn-pingpong -verify-diagnostics

// attn-pingpong: with two or more compute warpgroups, each loop of the
// compute region brackets the burst of asynchronous products a step starts
// with tile.mma_turn_wait (before the first) and tile.mma_turn_pass (after
// the last), and one tile.mma_turn_start at the start of the compute region
// hands warpgroup 0 the first turn.

//--- tile.mlir

#mma = #tile.mma<wgmma, warps = 8>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @two_warpgroups
// CHECK:         tile.warp_specialize
// CHECK-SAME:    producer {
// CHECK-NOT:       tile.mma_turn
// CHECK:         } compute {
// CHECK-NEXT:      tile.mma_turn_start
// CHECK-NOT:       tile.mma_turn_start
// CHECK:           scf.for
// CHECK-NEXT:        tile.local_load
// CHECK-NEXT:        tile.mma_turn_wait
// CHECK-NEXT:        %[[S:.*]] = tile.dot {{.*}} async
// CHECK-NEXT:        %[[O:.*]] = tile.dot {{.*}} async
// CHECK-NEXT:        tile.mma_turn_pass
// CHECK-NEXT:        tile.dot_wait %[[S]] pending = 1
// CHECK-NEXT:        tile.dot_wait %[[O]] pending = 0
// CHECK-NOT:         tile.mma_turn
// CHECK:             scf.yield
// CHECK:           scf.for
// CHECK-NEXT:        tile.local_load
// CHECK-NEXT:        tile.mma_turn_wait
// CHECK-NEXT:        tile.dot {{.*}} async
// CHECK-NEXT:        tile.mma_turn_pass
// CHECK:             scf.yield
// CHECK-NOT:       tile.mma_turn
// CHECK:         return
func.func private @two_warpgroups(%q: tensor<128x64xf16, #sw>, %kbuf: !tile.buffer<2x64x64xf16, #sw>,
                                  %n: index, %map: !tile.tensor_map<64x64xf16, swizzle = 128>,
                                  %full: !tile.mbarrier<2>) attributes {tile.config = #cfg} {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    %c0 = arith.constant 0 : index
    tile.tma_load %map[%c0, %c0, %c0], %kbuf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #sw>, !tile.mbarrier<2>
  } compute {
    %c0 = arith.constant 0 : index
    %c64 = arith.constant 64 : index
    %o0 = arith.constant dense<0.0> : tensor<128x64xf32, #mma>
    %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<128x64xf32, #mma> {
      %k = tile.local_load %kbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
      %s = tile.dot %q, %k transpose_rhs async : tensor<128x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<128x64xf32, #mma>
      %o1 = tile.dot %q, %k, %o async : tensor<128x64xf16, #sw>, tensor<64x64xf16, #sw>, tensor<128x64xf32, #mma> -> tensor<128x64xf32, #mma>
      %sw = tile.dot_wait %s pending = 1 : tensor<128x64xf32, #mma>
      %ow = tile.dot_wait %o1 pending = 0 : tensor<128x64xf32, #mma>
      %o2 = arith.addf %ow, %sw : tensor<128x64xf32, #mma>
      scf.yield %o2 : tensor<128x64xf32, #mma>
    }
    %r2 = scf.for %j = %c0 to %n step %c64 iter_args(%o = %r) -> tensor<128x64xf32, #mma> {
      %k = tile.local_load %kbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
      %o1 = tile.dot %q, %k, %o async : tensor<128x64xf16, #sw>, tensor<64x64xf16, #sw>, tensor<128x64xf32, #mma> -> tensor<128x64xf32, #mma>
      %ow = tile.dot_wait %o1 pending = 0 : tensor<128x64xf32, #mma>
      scf.yield %ow : tensor<128x64xf32, #mma>
    }
  }
  return
}

// -----

// One compute warpgroup (8 warps, 4 of them producers) has no one to take
// turns with; loops without asynchronous products need no turns either.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @one_warpgroup
// CHECK-NOT:     tile.mma_turn
// CHECK:         return
func.func private @one_warpgroup(%q: tensor<64x64xf16, #sw>, %kbuf: !tile.buffer<2x64x64xf16, #sw>,
                                 %n: index, %map: !tile.tensor_map<64x64xf16, swizzle = 128>,
                                 %full: !tile.mbarrier<2>) attributes {tile.config = #cfg} {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    %c0 = arith.constant 0 : index
    tile.tma_load %map[%c0, %c0, %c0], %kbuf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #sw>, !tile.mbarrier<2>
  } compute {
    %c0 = arith.constant 0 : index
    %c64 = arith.constant 64 : index
    %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
    %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
      %k = tile.local_load %kbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
      %o1 = tile.dot %q, %k, %o async : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
      %ow = tile.dot_wait %o1 pending = 0 : tensor<64x64xf32, #mma>
      scf.yield %ow : tensor<64x64xf32, #mma>
    }
  }
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 8>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 12, block_m = 128, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @synchronous_products
// CHECK-NOT:     tile.mma_turn
// CHECK:         return
func.func private @synchronous_products(%q: tensor<128x64xf16, #sw>, %kbuf: !tile.buffer<2x64x64xf16, #sw>,
                                        %n: index, %map: !tile.tensor_map<64x64xf16, swizzle = 128>,
                                        %full: !tile.mbarrier<2>) attributes {tile.config = #cfg} {
  tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
    %c0 = arith.constant 0 : index
    tile.tma_load %map[%c0, %c0, %c0], %kbuf[%c0], %full : !tile.tensor_map<64x64xf16, swizzle = 128>, !tile.buffer<2x64x64xf16, #sw>, !tile.mbarrier<2>
  } compute {
    %c0 = arith.constant 0 : index
    %c64 = arith.constant 64 : index
    %o0 = arith.constant dense<0.0> : tensor<128x64xf32, #mma>
    %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<128x64xf32, #mma> {
      %k = tile.local_load %kbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
      %o1 = tile.dot %q, %k, %o : tensor<128x64xf16, #sw>, tensor<64x64xf16, #sw>, tensor<128x64xf32, #mma> -> tensor<128x64xf32, #mma>
      scf.yield %o1 : tensor<128x64xf32, #mma>
    }
  }
  return
}

//--- attention.mlir

// The whole kernel: the rotated loop's two asynchronous products (Q·Kᵀ,
// the previous step's P·V) are one turn; the prologue's and epilogue's
// synchronous products are outside any turn.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         } compute {
// CHECK-NEXT:      tile.mma_turn_start
// CHECK:           scf.if
// CHECK-NOT:         tile.mma_turn
// CHECK:             tile.dot {{.*}} transpose_rhs :
// CHECK-NOT:         tile.mma_turn
// CHECK:             scf.for
// CHECK:               tile.mma_turn_wait
// CHECK-NEXT:          tile.dot {{.*}} transpose_rhs async
// CHECK-NEXT:          tile.local_load
// CHECK-NEXT:          tile.dot {{.*}} async
// CHECK-NEXT:          tile.mma_turn_pass
// CHECK-NEXT:          tile.dot_wait {{.*}} pending = 1
// CHECK-NOT:           tile.mma_turn
// CHECK:               scf.yield
// CHECK-NOT:         tile.mma_turn
// CHECK:           } else {
// CHECK-NOT:       tile.mma_turn
// CHECK:           tile.store

// ONE-LABEL: func.func private @attn_fwd
// ONE-SAME:      warps = 8, block_m = 64, block_n = 128
// ONE-SAME:      producer_warps = 4
// ONE:           tile.dot {{.*}} async
// ONE-NOT:       tile.mma_turn

func.func @attention(%q: tensor<1x2x256x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                     %v: tensor<1x2x256x64xbf16>) -> tensor<1x2x256x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
      -> tensor<1x2x256x64xbf16>
  return %o : tensor<1x2x256x64xbf16>
}

//--- not-a-kernel.mlir

// expected-error @below {{attn-pingpong: the module holds no tile kernel (the pass runs on rung 4, after attn-overlap-softmax)}}
module {
  func.func @f() {
    return
  }
}
