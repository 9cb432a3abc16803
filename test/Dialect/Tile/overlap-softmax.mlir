// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/tile.mlir -split-input-file -attn-overlap-softmax | FileCheck %t/tile.mlir
// RUN: attn-opt %t/attention.mlir -attn-select-tiling="chip=sm_90a block-m=128 num-warps=8" -attn-tile -attn-fuse-online-softmax -attn-fold-score-scale -attn-promote-tma -attn-warp-specialize -attn-assign-layouts -attn-overlap-softmax | FileCheck %t/attention.mlir
// RUN: attn-opt %t/left-alone.mlir -split-input-file -attn-overlap-softmax -verify-diagnostics | FileCheck %t/left-alone.mlir

// attn-overlap-softmax rotates a loop whose last product accumulates into
// a loop-carried value (O = C(O) + P·V) so that each step's P·V runs during
// the next step's softmax:
//   if (lb < ub) {
//     prologue: step lb without its P·V; Ô = C(O_init)
//     for j = lb + step ... iter_args(..., Ô, P_prev, slot_prev) {
//       S = Q·Kᵀ async; Ô' = P_prev·V[slot_prev] + Ô async
//       S = dot_wait S pending = 1      (P·V still runs)
//       ... softmax of S ...
//       Ô', P_prev = dot_wait Ô', P_prev pending = 0
//       release V[slot_prev]; Ô = C(Ô')
//     }
//     epilogue: O = P_last·V[slot_last] + Ô; release V[slot_last]
//   } else { O_init }

//--- tile.mlir

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @rotate
// CHECK-SAME:    (%[[Q:[^:]*]]: tensor<64x64xf16, #tile.shared<swizzle = 128>>, %[[KBUF:[^:]*]]: !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, %[[VBUF:[^:]*]]: !tile.buffer<2x64x64xf16, #tile.shared<swizzle = 128>>, %[[VEMPTY:[^:]*]]: !tile.mbarrier<2>, %[[OUT:[^:]*]]: memref<64x64xf32>, %[[N:[^:]*]]: index)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG:     %[[STEP:.*]] = arith.constant 64 : index
// CHECK-DAG:     %[[HALF:.*]] = arith.constant dense<5.000000e-01> : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-DAG:     %[[O0:.*]] = arith.constant dense<0.000000e+00> : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK:         %[[ANY:.*]] = arith.cmpi slt, %[[C0]], %[[N]] : index
// CHECK-NEXT:    %[[R:.*]] = scf.if %[[ANY]] -> (tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>) {
//
// Prologue: step 0's Q·Kᵀ (synchronous) and softmax, and the rescaled
// accumulator; no P·V.
// CHECK-NEXT:      %[[S0:.*]] = arith.remui %[[C0]], %{{.*}} : index
// CHECK-NEXT:      %[[K0:.*]] = tile.local_load %[[KBUF]][%[[S0]]]
// CHECK-NEXT:      %[[QK0:.*]] = tile.dot %[[Q]], %[[K0]] transpose_rhs : {{.*}} -> tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-NEXT:      %[[E0:.*]] = math.exp2 %[[QK0]]
// CHECK-NEXT:      %[[P0:.*]] = arith.truncf %[[E0]]
// CHECK-NEXT:      %[[A0:.*]] = tile.convert_layout %[[P0]]
// CHECK-NEXT:      %[[OC0:.*]] = arith.mulf %[[O0]], %[[HALF]]
// CHECK-NEXT:      %[[LB1:.*]] = arith.addi %[[C0]], %[[STEP]] : index
//
// The loop from the second step carries P and V's slot too.
// CHECK-NEXT:      %[[L:.*]]:3 = scf.for %[[J:[^ ]*]] = %[[LB1]] to %[[N]] step %[[STEP]] iter_args(%[[O:[^ ]*]] = %[[OC0]], %[[PA:[^ ]*]] = %[[A0]], %[[PS:[^ ]*]] = %[[S0]]) -> (tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>, tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>, index) {
// CHECK-NEXT:        %[[S:.*]] = arith.remui %[[J]], %{{.*}} : index
// CHECK-NEXT:        %[[K:.*]] = tile.local_load %[[KBUF]][%[[S]]]
// CHECK-NEXT:        %[[QK:.*]] = tile.dot %[[Q]], %[[K]] transpose_rhs async : {{.*}} -> tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-NEXT:        %[[VP:.*]] = tile.local_load %[[VBUF]][%[[PS]]]
// CHECK-NEXT:        %[[PV:.*]] = tile.dot %[[PA]], %[[VP]], %[[O]] async : tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>, tensor<64x64xf16, #tile.shared<swizzle = 128>>, tensor<64x64xf32, #tile.mma<wgmma, warps = 4>> -> tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-NEXT:        %[[SD:.*]] = tile.dot_wait %[[QK]] pending = 1 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-NEXT:        %[[E:.*]] = math.exp2 %[[SD]]
// CHECK-NEXT:        %[[P:.*]] = arith.truncf %[[E]]
// CHECK-NEXT:        %[[A:.*]] = tile.convert_layout %[[P]]
// CHECK-NEXT:        %[[DONE:.*]]:2 = tile.dot_wait %[[PV]], %[[PA]] pending = 0 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>, tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>
// CHECK-NEXT:        tile.mbarrier_arrive %[[VEMPTY]][%[[PS]]] : <2>
// CHECK-NEXT:        %[[OC:.*]] = arith.mulf %[[DONE]]#0, %[[HALF]]
// CHECK-NEXT:        scf.yield %[[OC]], %[[A]], %[[S]] : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>, tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>, index
// CHECK-NEXT:      }
//
// Epilogue: the last step's P·V, synchronous, then V's slot is released.
// CHECK-NEXT:      %[[VL:.*]] = tile.local_load %[[VBUF]][%[[L]]#2]
// CHECK-NEXT:      %[[OL:.*]] = tile.dot %[[L]]#1, %[[VL]], %[[L]]#0 : {{.*}} -> tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-NEXT:      tile.mbarrier_arrive %[[VEMPTY]][%[[L]]#2] : <2>
// CHECK-NEXT:      scf.yield %[[OL]]
// CHECK-NEXT:    } else {
// CHECK-NEXT:      scf.yield %[[O0]]
// CHECK-NEXT:    }
// CHECK-NEXT:    tile.store %[[R]], %[[OUT]]
// CHECK-NOT:     scf.for
func.func private @rotate(%q: tensor<64x64xf16, #sw>, %kbuf: !tile.buffer<2x64x64xf16, #sw>,
                          %vbuf: !tile.buffer<2x64x64xf16, #sw>, %vempty: !tile.mbarrier<2>,
                          %out: memref<64x64xf32>, %n: index) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %half = arith.constant dense<0.5> : tensor<64x64xf32, #mma>
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %slot = arith.remui %j, %c2 : index
    %k = tile.local_load %kbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %e = math.exp2 %s : tensor<64x64xf32, #mma>
    %p = arith.truncf %e : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v = tile.local_load %vbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %oc = arith.mulf %o, %half : tensor<64x64xf32, #mma>
    %o2 = tile.dot %a, %v, %oc : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    tile.mbarrier_arrive %vempty[%slot] : !tile.mbarrier<2>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  tile.store %r, %out[%c0, %c0] : tensor<64x64xf32, #mma>, memref<64x64xf32>
  return
}

// -----

// Kernels of the mma.sync family are not rotated (and get no remark).

#mma = #tile.mma<sync, warps = 4>
#sh = #tile.shared<pad = 8>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @sync_family
// CHECK-NOT:     async
// CHECK-NOT:     tile.dot_wait
// CHECK:         scf.for
// CHECK:           tile.dot
// CHECK:           tile.dot
// CHECK:           scf.yield
// CHECK-NOT:     tile.dot
func.func private @sync_family(%q: tensor<64x64xf16, #sh>, %kbuf: !tile.buffer<2x64x64xf16, #sh>,
                               %n: index) -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %k = tile.local_load %kbuf[%c0] : !tile.buffer<2x64x64xf16, #sh> -> tensor<64x64xf16, #sh>
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sh>, tensor<64x64xf16, #sh> -> tensor<64x64xf32, #mma>
    %p = arith.truncf %s : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v = tile.local_load %kbuf[%c0] : !tile.buffer<2x64x64xf16, #sh> -> tensor<64x64xf16, #sh>
    %o2 = tile.dot %a, %v, %o : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sh>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}

//--- attention.mlir

// The whole kernel (compute region of the warp-specialized kernel): the
// online-softmax loop is rotated inside the compute region; the producer's
// loop (no products) is not touched. Q·Kᵀ's K slot is released once its
// product has been waited for; V's slot one step later, after P·V's wait.

// CHECK-LABEL: func.func private @attn_fwd
// CHECK:         tile.warp_specialize
// CHECK:         producer {
// CHECK:           scf.for
// CHECK-NOT:         tile.dot
// CHECK:         } compute {
// CHECK:           %[[QT:.*]] = tile.local_load
// CHECK:           %[[R:.*]]:3 = scf.if
// CHECK:             %[[QK0:.*]] = tile.dot %[[QT]], %{{.*}} transpose_rhs : {{.*}} -> tensor<128x128xf32, #tile.mma<wgmma, warps = 8>>
// CHECK-NOT:         tile.dot
// CHECK:             %[[L:.*]]:5 = scf.for {{.*}} -> (tensor<128xf32, #tile.slice<dim = 1, <wgmma, warps = 8>>>, tensor<128xf32, #tile.slice<dim = 1, <wgmma, warps = 8>>>, tensor<128x64xf32, #tile.mma<wgmma, warps = 8>>, tensor<128x128xbf16, #tile.operand<a, <wgmma, warps = 8>>>, index) {
// CHECK:               tile.mbarrier_wait %[[KFULL:[0-9a-z_]+]][
// CHECK:               %[[QK:.*]] = tile.dot %[[QT]], %{{.*}} transpose_rhs async
// CHECK-NEXT:          %[[VP:.*]] = tile.local_load %[[VBUF:[0-9a-z_]+]][%[[PS:[0-9a-z_]+]]]
// CHECK-NEXT:          %[[PV:.*]] = tile.dot %[[PA:[^,]*]], %[[VP]], %{{.*}} async
// CHECK-NEXT:          %[[S:.*]] = tile.dot_wait %[[QK]] pending = 1
// CHECK-NEXT:          tile.mbarrier_arrive %[[KEMPTY:[0-9a-z_]+]][
// CHECK:               tile.reduce max
// CHECK:               tile.reduce sum
// CHECK:               %[[DONE:.*]]:2 = tile.dot_wait %[[PV]], %[[PA]] pending = 0
// CHECK-NEXT:          tile.mbarrier_arrive %[[VEMPTY:[0-9a-z_]+]][%[[PS]]]
// CHECK-NEXT:          arith.mulf %[[DONE]]#0
// CHECK-NEXT:          scf.yield
// CHECK:             tile.local_load %[[VBUF]][%[[L]]#4]
// CHECK-NEXT:        tile.dot %[[L]]#3, %{{.*}}, %[[L]]#2 :
// CHECK-NEXT:        tile.mbarrier_arrive %[[VEMPTY]][%[[L]]#4]
// CHECK:           } else {
// CHECK:           tile.store

func.func @attention(%q: tensor<1x2x256x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                     %v: tensor<1x2x256x64xbf16>) -> tensor<1x2x256x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
      -> tensor<1x2x256x64xbf16>
  return %o : tensor<1x2x256x64xbf16>
}

//--- left-alone.mlir

// Loops with two or more products that cannot be rotated get a remark
// saying why, and stay as they are.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @no_accumulation
// CHECK-NOT:     async
func.func private @no_accumulation(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>, %n: index) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  // expected-remark @below {{attn-overlap-softmax: left alone: no product accumulates into a loop-carried value}}
  scf.for %j = %c0 to %n step %c64 {
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %t = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
  }
  return
}

// -----

// A loop of more than two products is not the online softmax's (the
// backward's have four or five): left alone, with no remark.
#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @three_products
// CHECK-NOT:     async
func.func private @three_products(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>, %n: index) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  scf.for %j = %c0 to %n step %c64 {
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %t = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %u = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
  }
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @accumulating_first(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>, %n: index) -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: no product comes before the accumulating one}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %o2 = tile.dot %q, %k, %o transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    %t = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @shared_a(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>, %n: index) -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the accumulating product does not read its A operand from registers}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %o2 = tile.dot %q, %k, %o : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @b_not_a_view(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>, %n: index) -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the accumulating product's B operand is not a slot view of its own in the loop}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %p = arith.truncf %s : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %o2 = tile.dot %a, %k, %o : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @carried_used_elsewhere(%q: tensor<64x64xf16, #sw>, %vbuf: !tile.buffer<2x64x64xf16, #sw>, %out: memref<64x64xf32>, %n: index) -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the carried accumulator feeds something other than the product's accumulator}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    tile.store %o, %out[%c0, %c0] : tensor<64x64xf32, #mma>, memref<64x64xf32>
    %v = tile.local_load %vbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %q, %v transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %p = arith.truncf %s : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v2 = tile.local_load %vbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %o2 = tile.dot %a, %v2, %o : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @fresh_accumulator(%q: tensor<64x64xf16, #sw>, %vbuf: !tile.buffer<2x64x64xf16, #sw>, %n: index) -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the product does not accumulate into the carried value}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %v = tile.local_load %vbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %q, %v transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %p = arith.truncf %s : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v2 = tile.local_load %vbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %o2 = tile.dot %a, %v2, %o0 : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @slot_outside_loop(%q: tensor<64x64xf16, #sw>, %kbuf: !tile.buffer<2x64x64xf16, #sw>,
                          %vbuf: !tile.buffer<2x64x64xf16, #sw>, %vempty: !tile.mbarrier<2>,
                          %out: memref<64x64xf32>, %n: index) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %half = arith.constant dense<0.5> : tensor<64x64xf32, #mma>
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the accumulating product's A operand or B slot is not computed in the loop}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %slot = arith.remui %j, %c2 : index
    %k = tile.local_load %kbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %e = math.exp2 %s : tensor<64x64xf32, #mma>
    %p = arith.truncf %e : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v = tile.local_load %vbuf[%c0] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %oc = arith.mulf %o, %half : tensor<64x64xf32, #mma>
    %o2 = tile.dot %a, %v, %oc : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    tile.mbarrier_arrive %vempty[%slot] : !tile.mbarrier<2>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  tile.store %r, %out[%c0, %c0] : tensor<64x64xf32, #mma>, memref<64x64xf32>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @lhs_outside_loop(%q: tensor<64x64xf16, #sw>, %kbuf: !tile.buffer<2x64x64xf16, #sw>,
                          %vbuf: !tile.buffer<2x64x64xf16, #sw>, %vempty: !tile.mbarrier<2>,
                          %out: memref<64x64xf32>, %n: index, %areg: tensor<64x64xf16, #tile.operand<a, #mma>>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %half = arith.constant dense<0.5> : tensor<64x64xf32, #mma>
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the accumulating product's A operand or B slot is not computed in the loop}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %slot = arith.remui %j, %c2 : index
    %k = tile.local_load %kbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %e = math.exp2 %s : tensor<64x64xf32, #mma>
    %p = arith.truncf %e : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a_unused = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v = tile.local_load %vbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %oc = arith.mulf %o, %half : tensor<64x64xf32, #mma>
    %o2 = tile.dot %areg, %v, %oc : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    tile.mbarrier_arrive %vempty[%slot] : !tile.mbarrier<2>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  tile.store %r, %out[%c0, %c0] : tensor<64x64xf32, #mma>, memref<64x64xf32>
  return
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @yielded_rescale(%q: tensor<64x64xf16, #sw>, %vbuf: !tile.buffer<2x64x64xf16, #sw>, %n: index) -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %half = arith.constant dense<0.5> : tensor<64x64xf32, #mma>
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the carried accumulator feeds something other than the product's accumulator}}
  %r:2 = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0, %x = %o0) -> (tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>) {
    %slot = arith.remui %j, %c2 : index
    %oc = arith.mulf %o, %half : tensor<64x64xf32, #mma>
    %v = tile.local_load %vbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %q, %v transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %p = arith.truncf %s : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v2 = tile.local_load %vbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %o2 = tile.dot %a, %v2, %oc : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    scf.yield %o2, %oc : tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>
  }
  return %r#1 : tensor<64x64xf32, #mma>
}

// -----

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
func.func private @one_slot(%q: tensor<64x64xf16, #sw>, %kbuf: !tile.buffer<2x64x64xf16, #sw>,
                          %vbuf: !tile.buffer<2x64x64xf16, #sw>, %vempty: !tile.mbarrier<2>,
                          %out: memref<64x64xf32>, %n: index, %vbuf1: !tile.buffer<1x64x64xf16, #sw>) attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %half = arith.constant dense<0.5> : tensor<64x64xf32, #mma>
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  // expected-remark @below {{attn-overlap-softmax: left alone: the accumulating product's B buffer has one slot (the next copy would wait for the slot the product still reads)}}
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %slot = arith.remui %j, %c2 : index
    %k = tile.local_load %kbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %e = math.exp2 %s : tensor<64x64xf32, #mma>
    %p = arith.truncf %e : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #tile.operand<a, #mma>>
    %v = tile.local_load %vbuf1[%c0] : !tile.buffer<1x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %oc = arith.mulf %o, %half : tensor<64x64xf32, #mma>
    %o2 = tile.dot %a, %v, %oc : tensor<64x64xf16, #tile.operand<a, #mma>>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    tile.mbarrier_arrive %vempty[%slot] : !tile.mbarrier<2>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  tile.store %r, %out[%c0, %c0] : tensor<64x64xf32, #mma>, memref<64x64xf32>
  return
}

// -----

// expected-error @below {{attn-overlap-softmax: the module holds no tile kernel (the pass runs on rung 4, after attn-assign-layouts)}}
module {
  func.func @f() {
    return
  }
}
