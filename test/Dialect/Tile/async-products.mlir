// RUN: attn-opt %s -split-input-file -attn-async-products | FileCheck %s

// attn-async-products starts each product of a synchronous wgmma loop as
// early as its operands allow and waits for it before its first user:
// the backward's step in miniature. Sᵀ = K·Qᵀ starts right after Q's
// view; dPᵀ = V·dOᵀ, written after dV's product, moves up past it and
// past P's arithmetic to just after dO's view; Sᵀ's wait leaves dPᵀ
// running (pending = 1), dPᵀ's leaves dV (pending = 1); dK starts as soon
// as dSᵀ is an A operand; dV and dK are waited for at the yield. A slot is
// released after the first wait that finishes every product started before
// its release: dO's after dV's wait (which leaves only dK running), Q's
// after dK's.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#opa = #tile.operand<a, #mma>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @backward_step
// CHECK-SAME:    %{{[^:]*}}: !tile.mbarrier<2>, %{{[^:]*}}: !tile.mbarrier<2>, %[[QE:[^:]*]]: !tile.mbarrier<2>, %[[DOE:[^:]*]]: !tile.mbarrier<2>
// CHECK:         scf.for
// CHECK-NEXT:      %[[SLOT:.*]] = arith.remui
// CHECK-NEXT:      tile.mbarrier_wait %{{.*}}[%[[SLOT]]]
// CHECK-NEXT:      %[[Q:.*]] = tile.local_load %{{.*}}[%[[SLOT]]]
// CHECK-NEXT:      %[[ST:.*]] = tile.dot %[[K:.*]], %[[Q]] transpose_rhs async
// CHECK-NEXT:      tile.mbarrier_wait %{{.*}}[%[[SLOT]]]
// CHECK-NEXT:      %[[DO:.*]] = tile.local_load %{{.*}}[%[[SLOT]]]
// CHECK-NEXT:      %[[DPT:.*]] = tile.dot %[[V:.*]], %[[DO]] transpose_rhs async
// CHECK-NEXT:      %[[SW:.*]] = tile.dot_wait %[[ST]] pending = 1 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-NEXT:      %[[E:.*]] = math.exp2 %[[SW]]
// CHECK-NEXT:      %[[P:.*]] = arith.truncf %[[E]]
// CHECK-NEXT:      %[[PA:.*]] = tile.convert_layout %[[P]]
// CHECK-NEXT:      %[[DV:.*]] = tile.dot %[[PA]], %[[DO]], %{{.*}} async
// CHECK-NEXT:      %[[DPW:.*]] = tile.dot_wait %[[DPT]] pending = 1 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>
// CHECK-NEXT:      %[[DS:.*]] = arith.mulf %[[E]], %[[DPW]]
// CHECK-NEXT:      %[[DST:.*]] = arith.truncf %[[DS]]
// CHECK-NEXT:      %[[DSA:.*]] = tile.convert_layout %[[DST]]
// CHECK-NEXT:      %[[DK:.*]] = tile.dot %[[DSA]], %[[Q]], %{{.*}} async
// CHECK-NEXT:      %[[DVW:.*]]:2 = tile.dot_wait %[[DV]], %[[PA]] pending = 1 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>, tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>
// CHECK-NEXT:      tile.mbarrier_arrive %[[DOE]][%[[SLOT]]]
// CHECK-NEXT:      %[[DKW:.*]]:2 = tile.dot_wait %[[DK]], %[[DSA]] pending = 0 : tensor<64x64xf32, #tile.mma<wgmma, warps = 4>>, tensor<64x64xf16, #tile.operand<a, <wgmma, warps = 4>>>
// CHECK-NEXT:      tile.mbarrier_arrive %[[QE]][%[[SLOT]]]
// CHECK-NEXT:      scf.yield %[[DKW]]#0, %[[DVW]]#0
func.func private @backward_step(%k: tensor<64x64xf16, #sw>, %v: tensor<64x64xf16, #sw>,
                                 %qbuf: !tile.buffer<2x64x64xf16, #sw>, %dobuf: !tile.buffer<2x64x64xf16, #sw>,
                                 %qfull: !tile.mbarrier<2>, %dofull: !tile.mbarrier<2>,
                                 %qempty: !tile.mbarrier<2>, %doempty: !tile.mbarrier<2>,
                                 %n: index) -> (tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  %r:2 = scf.for %j = %c0 to %n step %c64 iter_args(%dk0 = %zero, %dv0 = %zero) -> (tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>) {
    %slot = arith.remui %j, %c2 : index
    tile.mbarrier_wait %qfull[%slot], %c0 : !tile.mbarrier<2>
    %q = tile.local_load %qbuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    tile.mbarrier_wait %dofull[%slot], %c0 : !tile.mbarrier<2>
    %do = tile.local_load %dobuf[%slot] : !tile.buffer<2x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %st = tile.dot %k, %q transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %e = math.exp2 %st : tensor<64x64xf32, #mma>
    %p = arith.truncf %e : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %pa = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #opa>
    %dv = tile.dot %pa, %do, %dv0 : tensor<64x64xf16, #opa>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    %dpt = tile.dot %v, %do transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    tile.mbarrier_arrive %doempty[%slot] : !tile.mbarrier<2>
    %ds = arith.mulf %e, %dpt : tensor<64x64xf32, #mma>
    %dst = arith.truncf %ds : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %dsa = tile.convert_layout %dst : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #opa>
    %dk = tile.dot %dsa, %q, %dk0 : tensor<64x64xf16, #opa>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    tile.mbarrier_arrive %qempty[%slot] : !tile.mbarrier<2>
    scf.yield %dk, %dv : tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>
  }
  return %r#0, %r#1 : tensor<64x64xf32, #mma>, tensor<64x64xf32, #mma>
}

// -----

// Left alone: a loop with an asynchronous product already (what
// attn-overlap-softmax rotated), a product inside a branch, and the
// mma.sync family.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @left_alone
// CHECK:         scf.for
// CHECK-NEXT:      tile.dot %{{.*}} transpose_rhs async
// CHECK-NEXT:      tile.dot %{{.*}} transpose_rhs :
// CHECK-NEXT:      tile.dot_wait
// CHECK:         scf.for
// CHECK-NEXT:      tile.dot %{{.*}} transpose_rhs :
// CHECK-NEXT:      scf.if
// CHECK-NEXT:        tile.dot %{{.*}} transpose_rhs :
// CHECK-NOT:     tile.dot_wait
// CHECK:         return
func.func private @left_alone(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>, %n: index, %c: i1)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  scf.for %j = %c0 to %n step %c64 {
    %a = tile.dot %q, %k transpose_rhs async : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %b = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %w = tile.dot_wait %a pending = 0 : tensor<64x64xf32, #mma>
  }
  scf.for %j = %c0 to %n step %c64 {
    %a = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    scf.if %c {
      %b = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    }
  }
  return
}

// -----

#mma = #tile.mma<sync, warps = 4>
#sh = #tile.shared<pad = 8>
#cfg = #tile.config<grid = [1, 1, 1], warps = 4, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90">
// CHECK-LABEL: func.func private @sync_family
// CHECK:         tile.dot %{{.*}} transpose_rhs :
// CHECK-NOT:     tile.dot_wait
func.func private @sync_family(%q: tensor<64x64xf16, #sh>, %k: tensor<64x64xf16, #sh>, %n: index)
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  scf.for %j = %c0 to %n step %c64 {
    %a = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sh>, tensor<64x64xf16, #sh> -> tensor<64x64xf32, #mma>
  }
  return
}

// -----

// Left alone too: a loop where each product's result is used at once or
// only by the yield (a forward step without attn-overlap-softmax): there
// is no work to hide.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#opa = #tile.operand<a, #mma>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @nothing_to_hide
// CHECK-NOT:     async
// CHECK-NOT:     tile.dot_wait
// CHECK:         return
func.func private @nothing_to_hide(%q: tensor<64x64xf16, #sw>, %k: tensor<64x64xf16, #sw>,
                                   %vempty: !tile.mbarrier<2>, %n: index) -> tensor<64x64xf32, #mma>
    attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %o0 = arith.constant dense<0.0> : tensor<64x64xf32, #mma>
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%o = %o0) -> tensor<64x64xf32, #mma> {
    %s = tile.dot %q, %k transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %e = math.exp2 %s : tensor<64x64xf32, #mma>
    %p = arith.truncf %e : tensor<64x64xf32, #mma> to tensor<64x64xf16, #mma>
    %a = tile.convert_layout %p : tensor<64x64xf16, #mma> -> tensor<64x64xf16, #opa>
    %o2 = tile.dot %a, %k, %o : tensor<64x64xf16, #opa>, tensor<64x64xf16, #sw>, tensor<64x64xf32, #mma> -> tensor<64x64xf32, #mma>
    tile.mbarrier_arrive %vempty[%c0] : !tile.mbarrier<2>
    scf.yield %o2 : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}

// -----

// A product is finished before a store into a buffer it reads, ahead of
// the barrier the store waits behind: another warpgroup's product may read
// the rows this one overwrites.

#mma = #tile.mma<wgmma, warps = 4>
#sw = #tile.shared<swizzle = 128>
#cfg = #tile.config<grid = [1, 1, 1], warps = 8, block_m = 64, block_n = 64, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// CHECK-LABEL: func.func private @store_after_read
// CHECK:         %[[D:.*]] = tile.dot %{{.*}}, %[[VIEW:.*]] transpose_rhs async
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    %[[W:.*]] = tile.dot_wait %[[D]] pending = 0
// CHECK-NEXT:    tile.barrier {warps = 4 : i64}
// CHECK-NEXT:    tile.local_store
// CHECK-NEXT:    tile.barrier {warps = 4 : i64}
// CHECK:         scf.yield %[[W]]
func.func private @store_after_read(%q: tensor<64x64xf16, #sw>, %buf: !tile.buffer<1x64x64xf16, #sw>,
                                    %next: tensor<64x64xf16, #mma>, %x: tensor<64x64xf32, #mma>, %n: index)
    -> tensor<64x64xf32, #mma> attributes {tile.config = #cfg} {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %r = scf.for %j = %c0 to %n step %c64 iter_args(%acc = %x) -> tensor<64x64xf32, #mma> {
    %view = tile.local_load %buf[%c0] : !tile.buffer<1x64x64xf16, #sw> -> tensor<64x64xf16, #sw>
    %d = tile.dot %q, %view transpose_rhs : tensor<64x64xf16, #sw>, tensor<64x64xf16, #sw> -> tensor<64x64xf32, #mma>
    %y = arith.addf %acc, %acc : tensor<64x64xf32, #mma>
    tile.barrier {warps = 4 : i64}
    tile.local_store %next, %buf[%c0] : tensor<64x64xf16, #mma>, !tile.buffer<1x64x64xf16, #sw>
    tile.barrier {warps = 4 : i64}
    %z = arith.addf %y, %d : tensor<64x64xf32, #mma>
    scf.yield %d : tensor<64x64xf32, #mma>
  }
  return %r : tensor<64x64xf32, #mma>
}
