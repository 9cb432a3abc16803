// RUN: mkdir -p %t && attn-compile %s --ptxas= -o %t/default.ptx
// RUN: attn-compile %s --ptxas= --block-m 64 -o %t/m64.ptx
// RUN: FileCheck %s --input-file=%t/default.ptx --check-prefix=DEFAULT
// RUN: FileCheck %s --input-file=%t/m64.ptx --check-prefix=M64
// RUN: attn-opt %s --attn-fused-pipeline="stop-after=config" --attn-report-cost -o /dev/null | FileCheck %s --check-prefix=REPORT
// RUN: attn-opt %s --attn-fused-pipeline="block-m=64 stop-after=config" --attn-report-cost -o /dev/null | FileCheck %s --check-prefix=REPORT64

// The tile configuration is chosen once and recorded in the IR; the
// manifest's launch and cost lines and the cost report read it from there,
// so changing block-m through the pipeline options changes all of them the
// same way. Halving block-m doubles the programs along grid x and the K/V
// re-reads of the IO-complexity formula: 553648128 -> 1090519040 bytes
// (Q + O + ⌈N/block-m⌉·(K + V) per head), 0.165 -> 0.326 ms on the h100
// model, as the report says.

// DEFAULT:      // attn.kernel attn_fwd grid=32,16,1 block=128,1,1 smem=55296 args=q,k,v,o
// DEFAULT:      // attn.cost kernel=attn_fwd flops=70061654016 bytes=553648128 predicted_ms=0.165268
// M64:          // attn.kernel attn_fwd grid=64,16,1 block=128,1,1 smem=46080 args=q,k,v,o
// M64:          // attn.cost kernel=attn_fwd flops=70061654016 bytes=1090519040 predicted_ms=0.325528

// REPORT:       fused pipeline: block-m 128, block-n 64, num-warps 4, num-stages 2; on-chip M = 54 KB (55296 B)
// REPORT:       attn_fwd         70.1 GFLOP     520 MB       8 MB        0 B      127 memory       165 us
// REPORT64:     fused pipeline: block-m 64, block-n 64, num-warps 4, num-stages 2; on-chip M = 45 KB (46080 B)
// REPORT64:     attn_fwd         70.1 GFLOP    1.01 GB       8 MB        0 B     64.2 memory       326 us

func.func @attention(%q: tensor<1x16x4096x64xbf16>) -> tensor<1x16x4096x64xbf16> {
  %o = attn.attention %q, %q, %q
      : tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16>, tensor<1x16x4096x64xbf16>
      -> tensor<1x16x4096x64xbf16>
  return %o : tensor<1x16x4096x64xbf16>
}
