// RUN: attn-opt %s -split-input-file --attn-fused-pipeline | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-fused-pipeline="stop-after=promoted" | FileCheck %s --check-prefix=TILE
// RUN: attn-opt %s -split-input-file --attn-fused-pipeline="stop-after=nvvm" | FileCheck %s --check-prefix=NVVM
// RUN: attn-opt %s -split-input-file --attn-fused-pipeline="chip=sm_80" | FileCheck %s --check-prefix=SM80
// RUN: attn-opt %s -split-input-file --attn-fused-pipeline="block-m=64 block-n=32 num-warps=2 num-stages=3" | FileCheck %s --check-prefix=OPTS

// attn.attention -> one FlashAttention kernel -> PTX in a gpu.binary.
// (Not tested yet: stop-after=gpu, which fails for want of the NVVM
// dialect, and the exponentials, whose libdevice is only linked when
// CUDA_HOME or CUDA_ROOT is set.)

// f16, D = 64: 4 warps over 128 rows; shared memory holds Q (128×72
// halves) and two slots each of K and V (64×72): 3 × 18432 bytes.

// CHECK:       module attributes {gpu.container_module}
// CHECK-LABEL: func.func @attention_f16
// CHECK-NOT:     attn.attention
// CHECK:         %[[O:.*]] = tile.launch @attn_fwd(%{{.*}}, %{{.*}}, %{{.*}}) names ["q", "k", "v", "o"]
// CHECK-SAME:      {config = #tile.config<grid = [1, 2, 1], warps = 4, {{.*}}, smem = 55296, chip = {{.*}}>}
// CHECK:         return %[[O]]
// CHECK-NOT:   func.func private @attn_fwd
// CHECK-NOT:   gpu.module
// CHECK:       gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx81">
// CHECK-SAME:    assembly = "
// CHECK-SAME:    .target sm_90
// CHECK-SAME:    .visible .entry attn_fwd(
// CHECK-SAME:    .maxntid 128, 1, 1
//   Q: one copy group, waited for at once; then the first K/V tiles.
// CHECK-SAME:    cp.async.cg.shared.global
// CHECK-SAME:    cp.async.commit_group
// CHECK-SAME:    cp.async.wait_group \090;
// CHECK-SAME:    bar.sync
//   S = Q·Kᵀ from ldmatrix (no transpose) and f16 tensor-core MMAs.
// CHECK-SAME:    ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
//   Row maximum across the quad.
// CHECK-SAME:    shfl.sync.bfly
//   P·V: V tiles through transposing ldmatrix.
// CHECK-SAME:    ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-SAME:    st.global

// TILE-LABEL: func.func private @attn_fwd
// TILE-COUNT-3: tile.alloc_shared
// TILE-NOT:     tile.load
// TILE:         tile.async_copy
// TILE:         scf.for
// TILE-NOT:     scf.for
// TILE:         tile.store
// TILE-LABEL: func.func @attention_f16
// TILE:         tile.launch @attn_fwd
// TILE-NOT:     gpu.module
// TILE-NOT:     gpu.binary

// NVVM-LABEL: func.func @attention_f16
// NVVM:         tile.launch @attn_fwd
// NVVM-SAME:      smem = 55296
// NVVM:       gpu.module @attn_kernels {
// NVVM:         llvm.func @attn_fwd(
// NVVM-SAME:      gpu.kernel
// NVVM-SAME:      nvvm.kernel
// NVVM:           nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache = cg
// NVVM:           nvvm.cp.async.commit.group
// NVVM:           nvvm.cp.async.wait.group 0
// NVVM:           nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<row>
// NVVM:           nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32)
// NVVM:           nvvm.shfl.sync bfly
// NVVM:           nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<col>
// NVVM-NOT:   gpu.binary
// NVVM-NOT:   nvgpu.

// SM80:       gpu.binary @attn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
// SM80-SAME:    .target sm_80

// Block options: 2 warps over 64 rows, 32-column K/V tiles, three stages:
// Q 64×72 halves (9216 bytes) + 2 × 3 slots of 32×72 (4608 bytes each).
// OPTS-LABEL: func.func @attention_f16
// OPTS:         tile.launch @attn_fwd
// OPTS-SAME:      {config = #tile.config<grid = [1, 2, 1], warps = 2, {{.*}}, smem = 36864, chip = {{.*}}>}
// OPTS:       gpu.binary
// OPTS-SAME:    .maxntid 64, 1, 1
// OPTS-SAME:    cp.async.wait_group \091;

func.func @attention_f16(%q: tensor<1x2x64x64xf16>, %k: tensor<1x2x64x64xf16>,
                         %v: tensor<1x2x64x64xf16>) -> tensor<1x2x64x64xf16> {
  %o = attn.attention %q, %k, %v
      : tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>, tensor<1x2x64x64xf16>
      -> tensor<1x2x64x64xf16>
  return %o : tensor<1x2x64x64xf16>
}

// -----

// bf16, causal, D = 128: 4 warps; bf16 tensor-core MMAs. Rows padded to
// 136 halves: Q 128×136 and two slots each of K and V 32×136.

// CHECK-LABEL: func.func @attention_bf16
// CHECK:         tile.launch @attn_fwd
// CHECK-SAME:      {config = #tile.config<grid = [2, 2, 2], warps = 4, {{.*}}, smem = 69632, chip = {{.*}}>}
// CHECK:       gpu.binary @attn_kernels
// CHECK-SAME:    .maxntid 128, 1, 1
// CHECK-DAG:     ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-DAG:     ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-DAG:     mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-NOT:     .f16.f16.f32

// NVVM-LABEL: func.func @attention_bf16
// NVVM:         llvm.func @attn_fwd(
// NVVM:           nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>

func.func @attention_bf16(%q: tensor<2x2x200x128xbf16>, %k: tensor<2x2x200x128xbf16>,
                          %v: tensor<2x2x200x128xbf16>) -> tensor<2x2x200x128xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<2x2x200x128xbf16>, tensor<2x2x200x128xbf16>, tensor<2x2x200x128xbf16>
      -> tensor<2x2x200x128xbf16>
  return %o : tensor<2x2x200x128xbf16>
}

// -----

// f32 with the logsumexp: TF32 MMAs (m16n8k8), operands read without
// ldmatrix, and a fifth kernel parameter for the logsumexp.

// CHECK-LABEL: func.func @attention_f32_lse
// CHECK:         %[[R:.*]]:2 = tile.launch @attn_fwd(%{{.*}}, %{{.*}}, %{{.*}}) names ["q", "k", "v", "o", "lse"]
// CHECK-SAME:      {config = #tile.config<grid = [1, 1, 1], warps = 4,
// CHECK:         return %[[R]]#0, %[[R]]#1
// CHECK:       gpu.binary @attn_kernels
// CHECK-SAME:    .param .u64 .ptr .align 1 attn_fwd_param_4
// CHECK-NOT:     ldmatrix
// CHECK-SAME:    mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32
// CHECK-NOT:     ldmatrix

func.func @attention_f32_lse(%q: tensor<1x1x32x32xf32>, %k: tensor<1x1x32x32xf32>,
                             %v: tensor<1x1x32x32xf32>)
    -> (tensor<1x1x32x32xf32>, tensor<1x1x32xf32>) {
  %o, %lse = attn.attention %q, %k, %v
      : tensor<1x1x32x32xf32>, tensor<1x1x32x32xf32>, tensor<1x1x32x32xf32>
      -> tensor<1x1x32x32xf32>, tensor<1x1x32xf32>
  return %o, %lse : tensor<1x1x32x32xf32>, tensor<1x1x32xf32>
}
