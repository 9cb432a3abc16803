// RUN: split-file --leading-lines %s %t
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=config" | FileCheck %t/bf16.mlir --check-prefix=CONFIG
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=online" | FileCheck %t/bf16.mlir --check-prefix=ONLINE
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=promoted" | FileCheck %t/bf16.mlir --check-prefix=PROMOTED
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=layouts" | FileCheck %t/bf16.mlir --check-prefix=LAYOUTS
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=layouts pingpong=false" | FileCheck %t/bf16.mlir --check-prefix=NOPING
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=layouts overlap-softmax=false" | FileCheck %t/bf16.mlir --check-prefix=NOOVERLAP
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=layouts num-stages=1" 2>&1 | FileCheck %t/bf16.mlir --check-prefix=NOOVERLAP --implicit-check-not=remark
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8 stop-after=nvvm" | FileCheck %t/bf16.mlir --check-prefix=NVVM
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a block-m=128 num-warps=8" | FileCheck %t/bf16.mlir --check-prefix=PTX
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a mma=sync stop-after=promoted" | FileCheck %t/bf16.mlir --check-prefix=SYNC-TILE
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a mma=sync" | FileCheck %t/bf16.mlir --check-prefix=SYNC
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90" | FileCheck %t/bf16.mlir --check-prefix=SM90
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a stop-after=config" | FileCheck %t/bf16.mlir --check-prefix=ONE-CONFIG
// RUN: attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a" | FileCheck %t/bf16.mlir --check-prefix=ONE-PTX
// RUN: attn-opt %t/f32.mlir --attn-fused-pipeline="chip=sm_90a" | FileCheck %t/f32.mlir
// RUN: attn-opt %t/d80.mlir --attn-fused-pipeline="chip=sm_90a" | FileCheck %t/d80.mlir
// RUN: not attn-opt %t/f32.mlir --attn-fused-pipeline="chip=sm_90a mma=wgmma" 2>&1 | FileCheck %t/f32.mlir --check-prefix=REFUSED
// RUN: not attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90 mma=wgmma" 2>&1 | FileCheck %t/bf16.mlir --check-prefix=REFUSED-SM90
// RUN: not attn-opt %t/d80.mlir --attn-fused-pipeline="chip=sm_90a mma=wgmma" 2>&1 | FileCheck %t/d80.mlir --check-prefix=REFUSED
// RUN: not attn-opt %t/bf16.mlir --attn-unfused-pipeline="chip=sm_90a mma=wgmma" 2>&1 | FileCheck %t/bf16.mlir --check-prefix=REFUSED-UNFUSED
// RUN: not attn-opt %t/bf16.mlir --attn-fused-pipeline="chip=sm_90a mma=fast" 2>&1 | FileCheck %t/bf16.mlir --check-prefix=BAD-MMA --implicit-check-not='{{.}}'

// The fused pipeline on sm_90a (Hopper, architecture-specific). For f16
// and bf16 with D a multiple of 64 up to 256, mma=auto (the default)
// builds the wgmma kernel: TMA copies into 128-byte-swizzled buffers
// guarded by mbarrier rings, a producer warpgroup (warp specialization,
// setmaxnreg), wgmma products, each step's softmax under the previous
// step's P·V (overlap-softmax) and the two compute warpgroups taking turns
// (pingpong). Otherwise, or with mma=sync, the mma.sync kernel of sm_90.
// mma=wgmma where wgmma cannot be used is refused, naming the rule.

//--- bf16.mlir

// bf16, D = 64, N = 256. By default one compute warpgroup of 64 rows per
// program and two programs per SM: the kernel says so to ptxas
// (.minnctapersm 2 caps the launch at 128 registers a thread) and
// setmaxnreg gives the compute warps 232.
// ONE-CONFIG: attn.attention {{.*}} {tiling = #attn.tiling<fused, block_m = 64, block_n = 128, warps = 4, stages = 2, chip = "sm_90a", mma = wgmma>}
// ONE-PTX: .maxntid 256, 1, 1
// ONE-PTX-SAME: .minnctapersm 2
// ONE-PTX-SAME: setmaxnreg.inc.sync.aligned.u32 {{.}}09232;
// ONE-PTX-SAME: setmaxnreg.dec.sync.aligned.u32 {{.}}0924;

// With block-m 128 and num-warps 8: 128x128 tiles, 2 compute warpgroups +
// 1 producer warpgroup (12 warps, 384 threads), 2 stages.

// Rung 1: the tiling records mma = wgmma; warps counts the compute warps.
// CONFIG: attn.attention {{.*}} {tiling = #attn.tiling<fused, block_m = 128, block_n = 128, warps = 8, stages = 2, chip = "sm_90a", mma = wgmma>}

// Rung 3: the kernel's #tile.config carries the producers; the scores'
// scale is folded into the exponent (attn-fold-score-scale).
// ONLINE:       func.func private @attn_fwd
// ONLINE-SAME:    tile.config = #tile.config<grid = [2, 2, 1], warps = 12, block_m = 128, block_n = 128, stages = 2, smem = 0, chip = "sm_90a", mma = wgmma, producer_warps = 4>
// ONLINE:         scf.for
// ONLINE:           %[[RAW:.*]] = tile.reduce max
// ONLINE:           arith.mulf %[[RAW]], %{{.*}} : tensor<128xf32>
// ONLINE:           arith.mulf {{.*}} fastmath<contract> : tensor<128x128xf32>
// ONLINE:           arith.subf {{.*}} fastmath<contract> : tensor<128x128xf32>

// Rung 4: TMA copies (no cp.async) into swizzled buffers, the producer
// region holding them, tensor maps as parameters named by the launch.
// PROMOTED-LABEL: func.func private @attn_fwd
// PROMOTED-SAME:    !tile.tensor_map<128x64xbf16, swizzle = 128>
// PROMOTED-COUNT-3: tile.alloc_shared : <{{[12]}}x128x64xbf16, #tile.shared<swizzle = 128>>
// PROMOTED-NOT:     tile.async_copy
// PROMOTED-NOT:     tile.load
// PROMOTED:         tile.warp_specialize attributes {compute_registers = 240 : i64, producer_registers = 24 : i64} producer {
// PROMOTED:           tile.tma_load
// PROMOTED:           scf.for
// PROMOTED-COUNT-2:     tile.tma_load
// PROMOTED:         } compute {
// PROMOTED-NOT:       tile.tma_load
// PROMOTED:           tile.dot
// PROMOTED:           tile.mbarrier_arrive
// PROMOTED:           tile.store
// PROMOTED-LABEL: func.func @attention
// PROMOTED:         tile.launch @attn_fwd({{.*}}) names ["q", "k", "v", "o", "q_map", "k_map", "v_map"]
// PROMOTED-SAME:      tensor_maps = [#tile.tensor_map_arg<source = 0, {{.*}}>, #tile.tensor_map_arg<source = 1, {{.*}}>, #tile.tensor_map_arg<source = 2, {{.*}}>]

// Rung 4 with layouts: shared memory placed (three 1024-aligned buffers of
// 16 KiB x slots, then 1 + 2 + 2 + 2 + 2 barriers of 8 bytes: 81920 + 72,
// rounded to 128), #tile.mma<wgmma> over the 8 compute warps, the rotated
// loop's products asynchronous and bracketed by turns.
// LAYOUTS-LABEL: func.func private @attn_fwd
// LAYOUTS-SAME:    smem = 82048
// LAYOUTS:         tile.alloc_mbarrier copy {offset = 81920 : i64} : <1>
// LAYOUTS:         } compute {
// LAYOUTS-NEXT:      tile.mma_turn_start
// LAYOUTS:           scf.for
// LAYOUTS:             tile.mma_turn_wait
// LAYOUTS-NEXT:        tile.dot {{.*}} transpose_rhs async : {{.*}} -> tensor<128x128xf32, #tile.mma<wgmma, warps = 8>>
// LAYOUTS:             tile.dot {{.*}} async : tensor<128x128xbf16, #tile.operand<a, <wgmma, warps = 8>>>
// LAYOUTS-NEXT:        tile.mma_turn_pass
// LAYOUTS-NEXT:        tile.dot_wait {{.*}} pending = 1
// LAYOUTS:             tile.dot_wait {{.*}} pending = 0
// LAYOUTS-LABEL: func.func @attention
// LAYOUTS:         smem = 82048

// pingpong=false: the products still overlap the softmax, without turns.
// NOPING-LABEL: func.func private @attn_fwd
// NOPING-NOT:     tile.mma_turn
// NOPING:         tile.dot {{.*}} async
// NOPING:         tile.dot_wait {{.*}} pending = 1
// NOPING-NOT:     tile.mma_turn

// overlap-softmax=false: synchronous products, no turns either.
// NOOVERLAP-LABEL: func.func private @attn_fwd
// NOOVERLAP-NOT:     async
// NOOVERLAP-NOT:     tile.dot_wait
// NOOVERLAP-NOT:     tile.mma_turn
// NOOVERLAP:         tile.dot {{.*}} -> tensor<128x128xf32, #tile.mma<wgmma, warps = 8>>
// NOOVERLAP-NOT:     async
// NOOVERLAP-NOT:     tile.mma_turn
// NOOVERLAP-LABEL: func.func @attention

// Rung 5, in the NVVM and LLVM dialects: wgmma (the SS form for Q·Kᵀ,
// m64n128; the register-A form for P·V, m64n64) and the mbarrier waits are
// inline PTX by now; mbarrier init/arrive, TMA, setmaxnreg and the named
// barriers of the turns are NVVM ops; tensor maps are grid constants.
// NVVM:       llvm.func @attn_fwd(
// NVVM-SAME:    nvvm.grid_constant
// NVVM-DAG:     nvvm.mbarrier.init
// NVVM-DAG:     nvvm.fence.mbarrier.init
// NVVM-DAG:     nvvm.setmaxregister increase 240
// NVVM-DAG:     nvvm.setmaxregister decrease 24
// NVVM-DAG:     nvvm.wgmma.fence.aligned
// NVVM-DAG:     llvm.inline_asm has_side_effects {{.*}}wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// NVVM-DAG:     llvm.inline_asm has_side_effects {{.*}}wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// NVVM-DAG:     nvvm.wgmma.commit.group.sync.aligned
// NVVM-DAG:     llvm.inline_asm has_side_effects asm_dialect = att "wgmma.wait_group.sync.aligned 1;"
// NVVM-DAG:     llvm.inline_asm has_side_effects asm_dialect = att "wgmma.wait_group.sync.aligned 0;"
// NVVM-DAG:     nvvm.wgmma.wait.group.sync.aligned 0
// NVVM-DAG:     nvvm.cp.async.bulk.tensor.shared.cluster.global
// NVVM-DAG:     nvvm.mbarrier.arrive.expect_tx
// NVVM-DAG:     mbarrier.try_wait.parity.shared.b64
// NVVM-DAG:     nvvm.mbarrier.arrive
// NVVM-DAG:     nvvm.barrier id =
// NVVM-DAG:     "bar.arrive $0, $1;"
// NVVM-NOT:   nvgpu.
// NVVM-NOT:   tile.alloc

// Rung 6: PTX for sm_90a.
// PTX:         tile.launch @attn_fwd
// PTX-SAME:      smem = 82048
// PTX:         gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx81">
// PTX-SAME:      .target sm_90a
// PTX-SAME:      .visible .entry attn_fwd(
// PTX-SAME:      .param .align 64 .b8 attn_fwd_param_4[128],
// PTX-SAME:      .param .align 64 .b8 attn_fwd_param_5[128],
// PTX-SAME:      .param .align 64 .b8 attn_fwd_param_6[128]
// PTX-SAME:      .maxntid 384, 1, 1
// PTX-SAME:      .minnctapersm 1
// PTX-SAME:      mbarrier.init.shared.b64
// PTX-SAME:      fence.mbarrier_init.release.cluster
// PTX-SAME:      setmaxnreg.inc.sync.aligned.u32 \09240;
// PTX-SAME:      mbarrier.try_wait.parity.shared.b64
// PTX-SAME:      wgmma.fence.sync.aligned
// PTX-SAME:      wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16
// PTX-SAME:      wgmma.commit_group.sync.aligned
// PTX-SAME:      ex2.approx.ftz.f32
// PTX-SAME:      wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// PTX-SAME:      wgmma.wait_group.sync.aligned 1;
// PTX-SAME:      wgmma.wait_group.sync.aligned 0;
// PTX-SAME:      setmaxnreg.dec.sync.aligned.u32 \0924;
// PTX-SAME:      mbarrier.arrive.expect_tx.shared.b64
// PTX-SAME:      cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// PTX-NOT:       mma.sync
// PTX-NOT:       cp.async.cg
// PTX-NOT:       ldmatrix

// mma=sync on sm_90a: the mma.sync kernel (cp.async copies, ldmatrix),
// assembled for sm_90a.
// SYNC-TILE-LABEL: func.func private @attn_fwd
// SYNC-TILE-SAME:    warps = 4
// SYNC-TILE-SAME:    chip = "sm_90a">
// SYNC-TILE-NOT:     tile.tma_load
// SYNC-TILE-NOT:     tile.warp_specialize
// SYNC-TILE:         tile.async_copy
// SYNC-TILE-NOT:     tile.tma_load
// SYNC:        gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx81">
// SYNC-SAME:     .target sm_90a
// SYNC-SAME:     .maxntid 128, 1, 1
// SYNC-SAME:     cp.async.cg.shared.global
// SYNC-SAME:     ldmatrix.sync.aligned.m8n8.x4.shared.b16
// SYNC-SAME:     mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SYNC-NOT:      wgmma
// SYNC-NOT:      setmaxnreg
// SYNC-NOT:      cp.async.bulk

// sm_90 (portable): never wgmma.
// SM90:        gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx81">
// SM90-SAME:     mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SM90-NOT:      wgmma

// REFUSED-SM90: error: mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the fused pipeline on sm_90 with 'bf16' and D = 64
// REFUSED-UNFUSED: error: mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the unfused pipeline on sm_90a with 'bf16' and D = 64
// BAD-MMA: {{^.*}}error: mma=fast: not a valid value: use auto, sync or wgmma{{.*$}}

func.func @attention(%q: tensor<1x2x256x64xbf16>, %k: tensor<1x2x256x64xbf16>,
                     %v: tensor<1x2x256x64xbf16>) -> tensor<1x2x256x64xbf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>, tensor<1x2x256x64xbf16>
      -> tensor<1x2x256x64xbf16>
  return %o : tensor<1x2x256x64xbf16>
}

//--- f32.mlir

// f32 on sm_90a: mma=auto keeps the TF32 mma.sync kernel; mma=wgmma is
// refused.

// CHECK:       tile.launch @attn_fwd
// CHECK-NOT:     mma = wgmma
// CHECK-NOT:     tensor_maps
// CHECK:       gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx81">
// CHECK-SAME:    .target sm_90a
// CHECK-SAME:    mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK-NOT:     wgmma
// CHECK-NOT:     setmaxnreg

// REFUSED: f32.mlir:[[@LINE+2]]:8: error: mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the fused pipeline on sm_90a with 'f32' and D = 64
func.func @attention(%q: tensor<1x2x64x64xf32>) -> tensor<1x2x64x64xf32> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>
      -> tensor<1x2x64x64xf32>
  return %o : tensor<1x2x64x64xf32>
}

//--- d80.mlir

// D = 80 is not a multiple of 64: mma.sync under mma=auto, refused under
// mma=wgmma.

// CHECK:       tile.launch @attn_fwd
// CHECK-NOT:     mma = wgmma
// CHECK:       gpu.binary @attn_kernels
// CHECK-SAME:    .target sm_90a
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-NOT:     wgmma

// REFUSED: d80.mlir:[[@LINE+2]]:8: error: mma=wgmma: the wgmma path needs the fused pipeline, chip sm_90a, f16 or bf16 elements and a head dimension that is a multiple of 64 up to 256; this is the fused pipeline on sm_90a with 'f16' and D = 80
func.func @attention(%q: tensor<1x2x64x80xf16>) -> tensor<1x2x64x80xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x64x80xf16>, tensor<1x2x64x80xf16>, tensor<1x2x64x80xf16>
      -> tensor<1x2x64x80xf16>
  return %o : tensor<1x2x64x80xf16>
}
