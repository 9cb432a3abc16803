// RUN: attn-opt %s -split-input-file --attn-unfused-pipeline | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-unfused-pipeline="stop-after=promoted" | FileCheck %s --check-prefix=TILE
// RUN: attn-opt %s -split-input-file --attn-unfused-pipeline="stop-after=nvvm" | FileCheck %s --check-prefix=NVVM
// RUN: attn-opt %s -split-input-file --attn-unfused-pipeline="chip=sm_80 num-stages=1" | FileCheck %s --check-prefix=SM80

// attn.attention -> three kernels (S = Q·Kᵀ, P = softmax(S), O = P·V) in
// one gpu.binary; S and P are intermediate tensors between the launches.

// f16, D = 64: 8 warps per kernel. Scores: Q 128×72 + K 64×72 halves;
// softmax: no shared memory; P·V: two slots of P 128×72 and of V 64×72.

// CHECK:       module attributes {gpu.container_module}
// CHECK-LABEL: func.func @attention_f16
// CHECK-SAME:    (%[[Q:.*]]: tensor<1x2x128x64xf16>, %[[K:.*]]: tensor<1x2x128x64xf16>, %[[V:.*]]: tensor<1x2x128x64xf16>)
// CHECK:         %[[S:.*]] = tile.launch @attn_scores(%[[Q]], %[[K]]) names ["q", "k", "s"]
// CHECK-SAME:      {config = #tile.config<grid = [2, 1, 2], warps = 8, {{.*}}, smem = 27648, chip = {{.*}}>}
// CHECK-SAME:      -> tensor<1x2x128x128xf16>
// CHECK:         %[[P:.*]] = tile.launch @attn_softmax(%[[S]]) names ["s", "p"]
// CHECK-SAME:      {config = #tile.config<grid = [2, 1, 1], warps = 8, {{.*}}, smem = 0, chip = {{.*}}>}
// CHECK:         %[[O:.*]] = tile.launch @attn_pv(%[[P]], %[[V]]) names ["p", "v", "o"]
// CHECK-SAME:      {config = #tile.config<grid = [2, 1, 1], warps = 8, {{.*}}, smem = 55296, chip = {{.*}}>}
// CHECK:         return %[[O]]
// CHECK-NOT:   func.func private
// CHECK:       gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx81">
// CHECK-SAME:    .visible .entry attn_scores(
// CHECK-SAME:    .maxntid 256, 1, 1
// CHECK-SAME:    cp.async.cg.shared.global
// CHECK-SAME:    ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-SAME:    .visible .entry attn_softmax(
// CHECK-NOT:     mma.sync
// CHECK-SAME:    shfl.sync.bfly
// CHECK-NOT:     mma.sync
// CHECK-SAME:    .visible .entry attn_pv(
// CHECK-SAME:    ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32

// TILE-LABEL: func.func private @attn_scores
// TILE-COUNT-2: tile.alloc_shared
// TILE-LABEL: func.func private @attn_softmax
// TILE-NOT:     tile.alloc_shared
// TILE-LABEL: func.func private @attn_pv
// TILE-COUNT-2: tile.alloc_shared
// TILE-LABEL: func.func @attention_f16
// TILE-NOT:     gpu.binary

// NVVM-LABEL: func.func @attention_f16
// NVVM:       gpu.module @attn_kernels
// NVVM:         llvm.func @attn_scores(
// NVVM:         llvm.func @attn_softmax(
// NVVM:         llvm.func @attn_pv(
// NVVM-NOT:   gpu.binary

// SM80:         tile.launch @attn_pv
// SM80-SAME:      smem = 27648, chip = "sm_80"
// SM80:       gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80"
// SM80-SAME:    .target sm_80

func.func @attention_f16(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x128x64xf16>,
                         %v: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>
      -> tensor<1x2x128x64xf16>
  return %o : tensor<1x2x128x64xf16>
}

// -----

// bf16, causal: bf16 MMAs in the scores and P·V kernels; S and P are bf16.

// CHECK-LABEL: func.func @attention_bf16
// CHECK:         tile.launch @attn_scores
// CHECK-SAME:      -> tensor<1x1x100x100xbf16>
// CHECK:         tile.launch @attn_softmax
// CHECK-SAME:      -> tensor<1x1x100x100xbf16>
// CHECK:         tile.launch @attn_pv
// CHECK:       gpu.binary
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT:     .f16.f16.f32

func.func @attention_bf16(%q: tensor<1x1x100x64xbf16>, %k: tensor<1x1x100x64xbf16>,
                          %v: tensor<1x1x100x64xbf16>) -> tensor<1x1x100x64xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x1x100x64xbf16>, tensor<1x1x100x64xbf16>, tensor<1x1x100x64xbf16>
      -> tensor<1x1x100x64xbf16>
  return %o : tensor<1x1x100x64xbf16>
}
