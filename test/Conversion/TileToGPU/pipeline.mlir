// RUN: attn-opt %s -attn-tile -attn-fuse-online-softmax -attn-promote-shared -attn-assign-layouts -attn-allocate-shared -attn-convert-tile-to-gpu | FileCheck %s

// The whole fused kernel, bf16, mapped to threads: cp.async copies into
// dynamic shared memory, commit/wait groups, ldmatrix (K plain, V
// transposed), bf16 MMA through nvvm.mma.sync (nvgpu's lowering has no
// bf16), quad shuffles for the row reductions, exp2 as ex2.approx.

func.func @attention(%q: tensor<1x2x128x64xbf16>, %k: tensor<1x2x128x64xbf16>,
                     %v: tensor<1x2x128x64xbf16>) -> tensor<1x2x128x64xbf16> {
  %o = attn.attention %q, %k, %v causal
      : tensor<1x2x128x64xbf16>, tensor<1x2x128x64xbf16>, tensor<1x2x128x64xbf16>
      -> tensor<1x2x128x64xbf16>
  return %o : tensor<1x2x128x64xbf16>
}

// CHECK-LABEL: func.func @attention
// CHECK:         tile.launch @attn_fwd({{.*}}) names ["q", "k", "v", "o"]
// CHECK-SAME:      config = #tile.config<grid = [1, 2, 1], warps = 4, block_m = 128, block_n = 64, stages = 2, smem = 55296, chip = "sm_90">
// CHECK:       gpu.module @attn_kernels
// CHECK:         gpu.func @attn_fwd({{.*}}) kernel
// CHECK:           gpu.dynamic_shared_memory
// CHECK:           nvgpu.device_async_copy {{.*}}, 8, %{{.*}} {bypassL1}
// CHECK:           nvvm.cp.async.commit.group
// CHECK:           nvvm.cp.async.wait.group 0
// CHECK:           gpu.barrier
// CHECK:           scf.for
// CHECK:             nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : {{.*}} -> vector<4x2xbf16>
// CHECK:             nvvm.mma.sync {{.*}} {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// CHECK:             gpu.shuffle xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK:             llvm.call_intrinsic "llvm.nvvm.ex2.approx.ftz.f32"
// CHECK:             nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = true} : {{.*}} -> vector<4x2xbf16>
// CHECK:             scf.yield
