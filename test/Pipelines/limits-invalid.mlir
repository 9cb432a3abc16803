// RUN: not attn-opt %s --attn-fused-pipeline="block-n=256 num-stages=8" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not attn-opt %s --attn-fused-pipeline="chip=sm_86 block-n=128 num-stages=4" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SM86
// RUN: not attn-compile %s --block-n 256 --num-stages 8 -o %t.ptx 2>&1 | FileCheck %s --check-prefix=SMEM

// A problem the GPU cannot launch is refused at compile time, before any
// code generation, naming the option or dimension that breaks the limit:
// here the kernel's shared memory (K and V tiles of 256 keys, 8 deep).

// SMEM: error: kernel @attn_fwd needs {{[0-9]+}} bytes of shared memory (buffers of {{.*}} bytes for block-m 128, block-n 256, num-stages 8), more than the 232448 an sm_90 block may use: lower block-n, block-m or num-stages
// SM86: error: kernel @attn_fwd needs {{[0-9]+}} bytes of shared memory {{.*}} more than the 101376 an sm_86 block may use
func.func @attention(%q: tensor<1x2x4096x128xf16>) -> tensor<1x2x4096x128xf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x2x4096x128xf16>, tensor<1x2x4096x128xf16>, tensor<1x2x4096x128xf16>
      -> tensor<1x2x4096x128xf16>
  return %o : tensor<1x2x4096x128xf16>
}
